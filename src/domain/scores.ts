import { alignmentFigure, indexValue, type IndexSums } from './alignment.js';
import { DIMENSIONS, SIDES, type Dimension, type Side } from './dimension.js';
import { gapFigure, type GapFigure } from './gap.js';
import { npsBand, npsFigure, type NpsCounts, type NpsFigure } from './nps.js';
import { peopleStillNeeded } from './privacy.js';

/** Per side × dimension tallies of one window: what the roll-ups add up to. */
export interface Tally {
  nps: NpsCounts;
  index: IndexSums;
  people: Set<string>;
}

export function emptyTally(): Tally {
  return {
    nps: { promoters: 0, passives: 0, detractors: 0 },
    index: { count: 0, sum: 0, sumSquares: 0 },
    people: new Set(),
  };
}

/** Adds one answer to a tally. */
export function addToTally(t: Tally, dimension: Dimension, score: number, person: string): void {
  t.people.add(person);
  if (dimension === 'advocacy') {
    t.nps[npsBand(score)] += 1;
    return;
  }
  const x = indexValue(score);
  t.index.count += 1;
  t.index.sum += x;
  t.index.sumSquares += x * x;
}

/** One side × dimension figure; `value`, `low`, `high` are null when privacy hides it. */
export interface Figure {
  n: number;
  people: number;
  value: number | null;
  low: number | null;
  high: number | null;
  /** How many more distinct people must answer before the figure shows; 0 when shown. */
  needed: number;
  /** NPS only: the adjusted-Wald centre, promoters and detractors, when shown. */
  adjusted?: number | null;
  promoters?: number | null;
  detractors?: number | null;
}

export type Tallies = Record<Side, Record<Dimension, Tally>>;

export function emptyTallies(): Tallies {
  const side = () =>
    Object.fromEntries(DIMENSIONS.map((d) => [d, emptyTally()])) as Record<Dimension, Tally>;
  return { client: side(), provider: side() };
}

function figureOf(dimension: Dimension, t: Tally, threshold: number): Figure {
  const people = t.people.size;
  const needed = peopleStillNeeded(people, threshold);
  const shown = needed === 0;
  if (dimension === 'advocacy') {
    const f = npsFigure(t.nps);
    const n = t.nps.promoters + t.nps.passives + t.nps.detractors;
    return {
      n,
      people,
      needed,
      value: shown && f ? f.value : null,
      low: shown && f ? f.low : null,
      high: shown && f ? f.high : null,
      adjusted: shown && f ? f.adjusted : null,
      promoters: shown && f ? f.promoters : null,
      detractors: shown && f ? f.detractors : null,
    };
  }
  const f = alignmentFigure(t.index);
  return {
    n: t.index.count,
    people,
    needed,
    value: shown && f ? f.value : null,
    low: shown && f ? f.low : null,
    high: shown && f ? f.high : null,
  };
}

/**
 * Turns tallies into the figures people may see. Privacy is enforced here: a side ×
 * dimension with fewer than `threshold` distinct people has no value, and no figure ever
 * combines both sides, so a hidden side cannot be derived.
 */
export function figuresOf(tallies: Tallies, threshold: number) {
  const sides = {} as Record<Side, Record<Dimension, Figure>>;
  const nps = {} as Record<Side, NpsFigure | null>;
  for (const side of SIDES) {
    sides[side] = {} as Record<Dimension, Figure>;
    for (const d of DIMENSIONS) sides[side][d] = figureOf(d, tallies[side][d], threshold);
    const shown = sides[side].advocacy.needed === 0;
    nps[side] = shown ? npsFigure(tallies[side].advocacy.nps) : null;
  }
  const gaps: Partial<Record<Dimension, GapFigure>> = {};
  for (const d of DIMENSIONS) {
    if (d === 'advocacy') continue;
    const [c, p] = [tallies.client[d], tallies.provider[d]];
    if (sides.client[d].needed > 0 || sides.provider[d].needed > 0) continue;
    const fc = alignmentFigure(c.index);
    const fp = alignmentFigure(p.index);
    if (fc && fp) gaps[d] = gapFigure(fc, fp);
  }
  return { sides, gaps, nps };
}
