import { Z95, type Estimate } from './interval.js';

/**
 * Sufficient statistics of 1–5 agreement answers on the 0–100 index scale: each answer
 * counts as x = (score − 1) / 4 × 100.
 */
export interface IndexSums {
  count: number;
  sum: number;
  sumSquares: number;
}

/** The 0–100 index value of one 1–5 answer. */
export function indexValue(score: number): number {
  return ((score - 1) / 4) * 100;
}

export interface AlignmentFigure extends Estimate {
  n: number;
  se: number;
}

/**
 * Alignment index = mean of the 0–100 values, with ±1.96·sd/√n (sd with n − 1 denominator).
 * One answer has no spread to estimate, so its interval is the whole scale.
 * Returns null when nobody answered.
 */
export function alignmentFigure(s: IndexSums): AlignmentFigure | null {
  if (s.count === 0) return null;
  const mean = s.sum / s.count;
  const variance =
    s.count > 1 ? Math.max(0, (s.sumSquares - s.count * mean * mean) / (s.count - 1)) : NaN;
  const se = Number.isNaN(variance) ? NaN : Math.sqrt(variance / s.count);
  const half = Number.isNaN(se) ? Infinity : Z95 * se;
  return {
    n: s.count,
    value: mean,
    se,
    low: Math.max(0, mean - half),
    high: Math.min(100, mean + half),
  };
}
