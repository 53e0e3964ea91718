import { indexValue } from './alignment.js';
import { DIMENSIONS, SIDES, type Dimension, type Side } from './dimension.js';
import { npsBand } from './nps.js';
import { addToTally, type Tallies } from './scores.js';

/** The counters of one engagement × side × dimension × week. */
export interface RollupCounters {
  promoters: number;
  passives: number;
  detractors: number;
  count: number;
  sum: number;
  sumSquares: number;
}

export const COUNTER_FIELDS = [
  'promoters',
  'passives',
  'detractors',
  'count',
  'sum',
  'sumSquares',
] as const;

/** Which roll-up an answer is counted in. */
export interface CellKey {
  engagementId: string;
  /** Monday of the ISO week in the engagement's time zone, `yyyy-MM-dd`. */
  week: string;
  side: Side;
  dimension: Dimension;
}

/**
 * One stored roll-up: the counters of one engagement × side × dimension × week, and how many of
 * its answers each person gave, so distinct people over any weeks can be told. Its size grows
 * with the people who answered, never with the answers.
 */
export interface RollupCell extends CellKey, Partial<RollupCounters> {
  _id: string;
  /** Answers counted per person, by personKey; a person at 0 no longer counts. */
  people?: Record<string, number>;
  /** The latest answer time counted, so a window ending before it knows not to count it whole. */
  lastAt?: Date | null;
}

/** The id of the roll-up of one engagement × week × side × dimension. */
export function cellId(key: CellKey): string {
  return `${key.engagementId}--${key.week}--${key.side}--${key.dimension}`;
}

/** The ids of every side × dimension roll-up of one engagement × week. */
export function weekCellIds(engagementId: string, week: string): string[] {
  return SIDES.flatMap((side) =>
    DIMENSIONS.map((dimension) => cellId({ engagementId, week, side, dimension })),
  );
}

/**
 * The field name a person (or an answer, in a ledger) has in a roll-up. Stored field names may
 * not hold `.` or start with `$`, so those (and `%`) are percent-encoded.
 */
export function personKey(personId: string): string {
  return personId.replace(/[.$%]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** What one score adds to the counters of its dimension. */
export function contribution(dimension: Dimension, score: number): Partial<RollupCounters> {
  if (dimension === 'advocacy') return { [npsBand(score)]: 1 };
  const x = indexValue(score);
  return { count: 1, sum: x, sumSquares: x * x };
}

/** An answer as the roll-ups count it. */
export interface Counted extends CellKey {
  personId: string;
  score: number;
  answeredAt: Date;
}

/**
 * A change to one roll-up: amounts to add to its fields (counters, and `people.<key>`), and the
 * answer time to raise its `lastAt` to, if any.
 */
export interface CellChange {
  key: CellKey;
  inc: Record<string, number>;
  lastAt: Date | null;
}

function add(inc: Record<string, number>, field: string, v: number): void {
  inc[field] = (inc[field] ?? 0) + v;
}

function changeOf(a: Counted, sign: 1 | -1): CellChange {
  const inc: Record<string, number> = {};
  for (const [f, v] of Object.entries(contribution(a.dimension, a.score))) add(inc, f, sign * v);
  add(inc, `people.${personKey(a.personId)}`, sign);
  const key = { engagementId: a.engagementId, week: a.week, side: a.side, dimension: a.dimension };
  return { key, inc, lastAt: sign > 0 ? a.answeredAt : null };
}

/**
 * The changes to roll-ups that take an answer from being counted as `from` to being counted as
 * `to` (null: not counted). Changes to one roll-up are merged, and fields that net to zero are
 * dropped.
 */
export function changesOf(from: Counted | null, to: Counted | null): CellChange[] {
  const parts = [...(from ? [changeOf(from, -1)] : []), ...(to ? [changeOf(to, 1)] : [])];
  return mergeChanges(parts);
}

/** Merges changes by roll-up: amounts add up and the latest answer time wins. */
export function mergeChanges(changes: CellChange[]): CellChange[] {
  const byId = new Map<string, CellChange>();
  for (const c of changes) {
    const id = cellId(c.key);
    let merged = byId.get(id);
    if (!merged) {
      merged = { key: c.key, inc: {}, lastAt: null };
      byId.set(id, merged);
    }
    for (const [f, v] of Object.entries(c.inc)) add(merged.inc, f, v);
    if (c.lastAt && (!merged.lastAt || merged.lastAt < c.lastAt)) merged.lastAt = c.lastAt;
  }
  const out: CellChange[] = [];
  for (const c of byId.values()) {
    for (const [f, v] of Object.entries(c.inc)) if (v === 0) delete c.inc[f];
    if (Object.keys(c.inc).length > 0 || c.lastAt) out.push(c);
  }
  return out;
}

/** Adds whole roll-ups to window tallies: their counters and the people still counted. */
export function addCells(tallies: Tallies, cells: RollupCell[]): void {
  for (const cell of cells) {
    const tally = tallies[cell.side][cell.dimension];
    for (const [person, n] of Object.entries(cell.people ?? {}))
      if (n > 0) tally.people.add(person);
    tally.nps.promoters += cell.promoters ?? 0;
    tally.nps.passives += cell.passives ?? 0;
    tally.nps.detractors += cell.detractors ?? 0;
    tally.index.count += cell.count ?? 0;
    tally.index.sum += cell.sum ?? 0;
    tally.index.sumSquares += cell.sumSquares ?? 0;
  }
}

/** The roll-ups of a set of answers, computed afresh, as a rebuild stores them. */
export function cellsOfAnswers(answers: Counted[]): RollupCell[] {
  const byId = new Map<string, RollupCell>();
  for (const a of answers) {
    const _id = cellId(a);
    let cell = byId.get(_id);
    if (!cell) {
      const { engagementId, week, side, dimension } = a;
      const zero =
        dimension === 'advocacy'
          ? { promoters: 0, passives: 0, detractors: 0 }
          : { count: 0, sum: 0, sumSquares: 0 };
      cell = { _id, engagementId, week, side, dimension, ...zero, people: {}, lastAt: null };
      byId.set(_id, cell);
    }
    for (const [f, v] of Object.entries(contribution(a.dimension, a.score))) {
      const field = f as keyof RollupCounters;
      cell[field] = (cell[field] ?? 0) + v;
    }
    const people = (cell.people ??= {});
    const key = personKey(a.personId);
    people[key] = (people[key] ?? 0) + 1;
    if (!cell.lastAt || cell.lastAt < a.answeredAt) cell.lastAt = a.answeredAt;
  }
  return [...byId.values()];
}

/** What a week's ledger keeps of one answer: person, time, score, side and dimension. */
export interface LedgerEntry {
  p: string;
  t: Date;
  s: number;
  side: Side;
  d: Dimension;
}

/**
 * The ledger of one engagement × week: its answers by answer key, so that a window ending
 * inside the week is counted to the second without reading the answers collection. Its size
 * grows with that one week's answers.
 */
export interface RollupLedger {
  _id: string;
  engagementId: string;
  week: string;
  entries?: Record<string, LedgerEntry>;
}

/** The id of the ledger of one engagement × week. */
export function ledgerId(engagementId: string, week: string): string {
  return `${engagementId}--${week}`;
}

export function ledgerEntry(a: Counted): LedgerEntry {
  return { p: a.personId, t: a.answeredAt, s: a.score, side: a.side, d: a.dimension };
}

/** The ledgers of a set of answers, computed afresh, as a rebuild stores them. */
export function ledgersOfAnswers(answers: (Counted & { id: string })[]): RollupLedger[] {
  const byId = new Map<string, RollupLedger>();
  for (const a of answers) {
    const _id = ledgerId(a.engagementId, a.week);
    let ledger = byId.get(_id);
    if (!ledger) byId.set(_id, (ledger = { _id, engagementId: a.engagementId, week: a.week }));
    (ledger.entries ??= {})[personKey(a.id)] = ledgerEntry(a);
  }
  return [...byId.values()];
}

/** Adds a ledger's answers up to `asOf` to window tallies. */
export function addLedger(tallies: Tallies, ledger: RollupLedger, asOf: Date): void {
  for (const e of Object.values(ledger.entries ?? {})) {
    if (e.t <= asOf) addToTally(tallies[e.side][e.d], e.d, e.s, personKey(e.p));
  }
}
