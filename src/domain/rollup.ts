import { indexValue } from './alignment.js';
import { DIMENSIONS, SIDES, type Dimension, type Side } from './dimension.js';
import { npsBand } from './nps.js';
import { addToTally, emptyTallies, type Tallies } from './scores.js';

/** What a week's roll-up remembers of one answer: the person, when, and the score. */
export interface RollupEntry {
  p: string;
  t: Date;
  s: number;
}

/** The counters of one engagement × side × dimension × week. */
export interface RollupCounters {
  promoters: number;
  passives: number;
  detractors: number;
  count: number;
  sum: number;
  sumSquares: number;
}

/** The roll-up of one side × dimension in one week: counters and the week's answers by key. */
export interface RollupCell extends Partial<RollupCounters> {
  entries?: Record<string, RollupEntry>;
}

/**
 * One stored roll-up document: the roll-ups of every side × dimension of one engagement ×
 * week, kept in one document so a window is read with one lookup by id per week.
 */
export interface RollupWeek {
  _id: string;
  engagementId: string;
  /** Monday of the ISO week in the engagement's time zone, `yyyy-MM-dd`. */
  week: string;
  /** The latest answer time counted in this week. */
  lastAt?: Date | null;
  client?: Partial<Record<Dimension, RollupCell>>;
  provider?: Partial<Record<Dimension, RollupCell>>;
}

export const COUNTER_FIELDS = [
  'promoters',
  'passives',
  'detractors',
  'count',
  'sum',
  'sumSquares',
] as const;

/** The id of the roll-up document of one engagement × week. */
export function weekDocId(engagementId: string, week: string): string {
  return `${engagementId}--${week}`;
}

/** The stored path of one side × dimension's roll-up inside its week document. */
export function cellPath(side: Side, dimension: Dimension): string {
  return `${side}.${dimension}`;
}

/**
 * The field name an answer has in a roll-up's `entries`. Stored field names may not hold
 * `.` or start with `$`, so those (and `%`) are percent-encoded.
 */
export function entryKey(answerId: string): string {
  return answerId.replace(/[.$%]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** What one score adds to the counters of its dimension. */
export function contribution(dimension: Dimension, score: number): Partial<RollupCounters> {
  if (dimension === 'advocacy') return { [npsBand(score)]: 1 };
  const x = indexValue(score);
  return { count: 1, sum: x, sumSquares: x * x };
}

/** The `$inc` that turns the counters holding `from` into ones holding `to`. */
export function counterDelta(
  dimension: Dimension,
  from: number | null,
  to: number | null,
): Partial<RollupCounters> {
  const delta: Partial<RollupCounters> = {};
  const add = (c: Partial<RollupCounters>, sign: number) => {
    for (const f of COUNTER_FIELDS) {
      const v = c[f];
      if (v !== undefined) delta[f] = (delta[f] ?? 0) + sign * v;
    }
  };
  if (from !== null) add(contribution(dimension, from), -1);
  if (to !== null) add(contribution(dimension, to), 1);
  for (const f of COUNTER_FIELDS) if (delta[f] === 0) delete delta[f];
  return delta;
}

function addCell(
  tallies: Tallies,
  side: Side,
  dimension: Dimension,
  cell: RollupCell,
  whole: boolean,
  asOf: Date,
): void {
  const tally = tallies[side][dimension];
  const entries = Object.values(cell.entries ?? {});
  if (!whole) {
    for (const e of entries) {
      if (e.t.getTime() <= asOf.getTime()) addToTally(tally, dimension, e.s, e.p);
    }
    return;
  }
  for (const e of entries) tally.people.add(e.p);
  tally.nps.promoters += cell.promoters ?? 0;
  tally.nps.passives += cell.passives ?? 0;
  tally.nps.detractors += cell.detractors ?? 0;
  tally.index.count += cell.count ?? 0;
  tally.index.sum += cell.sum ?? 0;
  tally.index.sumSquares += cell.sumSquares ?? 0;
}

/**
 * Adds week roll-ups up to the tallies of a window ending at `asOf`. A week whose latest
 * answer is not after `asOf` counts by its counters; the week `asOf` falls inside counts only
 * its answers up to `asOf`, from its entries. Distinct people come from each week's entries.
 */
export function talliesOfWeeks(weeks: RollupWeek[], asOf: Date): Tallies {
  const tallies = emptyTallies();
  for (const w of weeks) {
    const whole = !w.lastAt || w.lastAt.getTime() <= asOf.getTime();
    for (const side of SIDES) {
      for (const dimension of DIMENSIONS) {
        const cell = w[side]?.[dimension];
        if (cell) addCell(tallies, side, dimension, cell, whole, asOf);
      }
    }
  }
  return tallies;
}

/** A stored answer as a roll-up sees it. */
export interface RolledAnswer {
  id: string;
  side: Side;
  dimension: Dimension;
  week: string;
  personId: string;
  answeredAt: Date;
  score: number;
}

function emptyCell(dimension: Dimension): RollupCell {
  return dimension === 'advocacy'
    ? { promoters: 0, passives: 0, detractors: 0, entries: {} }
    : { count: 0, sum: 0, sumSquares: 0, entries: {} };
}

/** The full roll-up documents of a set of answers, as a rebuild writes them. */
export function weeksOfAnswers(engagementId: string, answers: RolledAnswer[]): RollupWeek[] {
  const byId = new Map<string, RollupWeek>();
  for (const a of answers) {
    const _id = weekDocId(engagementId, a.week);
    let w = byId.get(_id);
    if (!w) {
      w = { _id, engagementId, week: a.week, lastAt: null, client: {}, provider: {} };
      byId.set(_id, w);
    }
    const cells = (w[a.side] ??= {});
    const cell = (cells[a.dimension] ??= emptyCell(a.dimension));
    for (const [f, v] of Object.entries(contribution(a.dimension, a.score))) {
      const field = f as keyof RollupCounters;
      cell[field] = (cell[field] ?? 0) + v;
    }
    (cell.entries ??= {})[entryKey(a.id)] = { p: a.personId, t: a.answeredAt, s: a.score };
    if (!w.lastAt || w.lastAt < a.answeredAt) w.lastAt = a.answeredAt;
  }
  return [...byId.values()];
}
