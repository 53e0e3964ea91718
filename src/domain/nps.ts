import { clip, Z95 } from './interval.js';

/** Counts of one window's 0–10 answers. */
export interface NpsCounts {
  promoters: number;
  passives: number;
  detractors: number;
}

export type NpsBand = keyof NpsCounts;

/** Promoters answer 9–10, passives 7–8, detractors 0–6. */
export function npsBand(score: number): NpsBand {
  if (score >= 9) return 'promoters';
  if (score >= 7) return 'passives';
  return 'detractors';
}

export function npsTotal(c: NpsCounts): number {
  return c.promoters + c.passives + c.detractors;
}

/** An NPS with its adjusted-Wald centre, standard error and 95 % interval, all in points. */
export interface NpsFigure {
  n: number;
  promoters: number;
  detractors: number;
  value: number;
  adjusted: number;
  se: number;
  low: number;
  high: number;
}

/**
 * NPS = 100 × (P − D) / n over answered questions, with the adjusted-Wald 95 % interval:
 * n′ = n + 3, p′ = (P + 0.75) / n′, d′ = (D + 0.75) / n′,
 * SE = √((p′ + d′ − (p′ − d′)²) / n′),
 * interval = centre ± 1.96·SE, clipped to [−100, 100].
 * Returns null when nobody answered: no answer is not a zero.
 */
export function npsFigure(c: NpsCounts): NpsFigure | null {
  const n = npsTotal(c);
  if (n === 0) return null;
  const n1 = n + 3;
  const p1 = (c.promoters + 0.75) / n1;
  const d1 = (c.detractors + 0.75) / n1;
  const centre = p1 - d1;
  const se = Math.sqrt((p1 + d1 - centre * centre) / n1);
  return {
    n,
    promoters: c.promoters,
    detractors: c.detractors,
    value: (100 * (c.promoters - c.detractors)) / n,
    adjusted: 100 * centre,
    se: 100 * se,
    low: clip(100 * (centre - Z95 * se), -100, 100),
    high: clip(100 * (centre + Z95 * se), -100, 100),
  };
}

/** A change between two windows' adjusted NPS centres. */
export interface NpsChange {
  delta: number;
  significant: boolean;
}

/**
 * Δ = adjusted(after) − adjusted(before),
 * significant when |Δ| > 1.96·√(SE₁² + SE₂²).
 */
export function npsChange(before: NpsFigure, after: NpsFigure): NpsChange {
  const delta = after.adjusted - before.adjusted;
  const margin = Z95 * Math.sqrt(before.se ** 2 + after.se ** 2);
  return { delta, significant: Math.abs(delta) > margin };
}
