import { TZDate } from '@date-fns/tz';
import { addWeeks, format } from 'date-fns';
import type { Dimension, Side } from '../domain/dimension.js';
import {
  addCells,
  addLedger,
  cellId,
  cellsOfAnswers,
  changesOf,
  ledgerEntry,
  ledgerId,
  ledgersOfAnswers,
  personKey,
  weekCellIds,
  type CellChange,
  type Counted,
  type RollupCell,
  type RollupLedger,
} from '../domain/rollup.js';
import { emptyTallies, type Tallies } from '../domain/scores.js';
import { weekKey, weekStart, type Window } from '../domain/window.js';
import {
  batchedWriter,
  batchedWriterOf,
  type BatchedWriter,
  type DocUpdate,
} from '../store/batched-writes.js';
import type { Store } from '../store/store.js';
import type { Context } from './context.js';
import { withLock } from './locks.js';

/** What the roll-ups need to know of one answer: where it is counted and as what. */
export interface AnswerState {
  engagementId: string;
  side: Side;
  dimension: Dimension;
  personId: string;
  score: number;
  answeredAt: Date;
}

/** A stored answer as the native driver returns it. */
export interface AnswerRow extends AnswerState {
  _id: string;
  pulseId: string;
  questionId: string;
  scale: string;
  source: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The native collections, typed with string ids, for the hot paths. */
export function rollupCollection(store: Store) {
  return store.connection.collection<RollupCell>(store.rollups.collection.collectionName);
}

export function answerCollection(store: Store) {
  return store.connection.collection<AnswerRow>(store.answers.collection.collectionName);
}

/** How an engagement's time zone is looked up; cached, since every answer needs it. */
const TIMEZONE_TTL_MS = 60_000;
const timezones = new WeakMap<Store, Map<string, { tz: string; at: number }>>();

/**
 * The engagement's time zone, cached for a minute per store. Week keys follow it, so after a
 * change of an engagement's time zone its roll-ups need `rapport scores rebuild`.
 */
export async function engagementTimezone(store: Store, engagementId: string): Promise<string> {
  let cache = timezones.get(store);
  if (!cache) timezones.set(store, (cache = new Map<string, { tz: string; at: number }>()));
  const hit = cache.get(engagementId);
  if (hit && Date.now() - hit.at < TIMEZONE_TTL_MS) return hit.tz;
  const e = await store.engagements.findById(engagementId).select({ timezone: 1 }).lean();
  if (!e) throw new Error(`no engagement ${engagementId}`);
  cache.set(engagementId, { tz: e.timezone, at: Date.now() });
  return e.timezone;
}

/** An answer as the roll-ups count it: in the week of its answer time. */
export function countedOf(a: AnswerState, timezone: string): Counted {
  return { ...a, week: weekKey(a.answeredAt, timezone) };
}

/**
 * The roll-ups' batched writer, one group per engagement (see BatchedWriter). Each batch is
 * written holding the engagement's roll-up lock in Redis, so batches of two processes never
 * update one roll-up at the same moment (FerretDB could lose one of them).
 */
export function rollupWriter(ctx: Context): BatchedWriter {
  return batchedWriter(ctx.store, WRITER, (group, task) => withRollupLock(ctx, group, task));
}

/** Runs `task` holding the engagement's roll-up lock, shared by all Rapport processes. */
export function withRollupLock<T>(
  ctx: Context,
  engagementId: string,
  task: () => Promise<T>,
): Promise<T> {
  return withLock(ctx, `rollups:${engagementId}`, task);
}

/** The name of the roll-ups' batched writer. */
const WRITER = 'rollups';

/** The collection of the week ledgers (RollupLedger). */
export const LEDGERS = 'rollupledgers';

export function ledgerCollection(store: Store) {
  return store.connection.collection<RollupLedger>(LEDGERS);
}

function cellUpdate(store: Store, c: CellChange): DocUpdate {
  return {
    collection: store.rollups.collection.collectionName,
    id: cellId(c.key),
    inc: c.inc,
    ...(c.lastAt ? { max: { lastAt: c.lastAt } } : {}),
    setOnInsert: { ...c.key },
  };
}

/** The ledger updates that move an answer's entry from `from`'s week to `to`'s. */
function ledgerUpdates(answerId: string, from: Counted | null, to: Counted): DocUpdate[] {
  const field = `entries.${personKey(answerId)}`;
  const updates: DocUpdate[] = [];
  if (from && from.week !== to.week) {
    updates.push({
      collection: LEDGERS,
      id: ledgerId(from.engagementId, from.week),
      unset: [field],
    });
  }
  updates.push({
    collection: LEDGERS,
    id: ledgerId(to.engagementId, to.week),
    set: { [field]: ledgerEntry(to) },
    setOnInsert: { engagementId: to.engagementId, week: to.week },
  });
  return updates;
}

/**
 * Queues the roll-up and ledger changes that take an answer from being counted as `from`
 * (null: new) to `to`, and `afterStored` to run once they are written; the promise resolves
 * when both are done. Changes are written behind their callers within 250 ms, merged per
 * document; reads of the engagement's scores in this process wait for what was queued before
 * them (rollupsSettled).
 */
export function applyAnswerChange(
  ctx: Context,
  answerId: string,
  from: Counted | null,
  to: Counted,
  afterStored?: () => Promise<void>,
): Promise<void> {
  const updates = [
    ...changesOf(from, to).map((c) => cellUpdate(ctx.store, c)),
    ...ledgerUpdates(answerId, from, to),
  ];
  return rollupWriter(ctx).write(to.engagementId, updates, afterStored);
}

/** Resolves once every roll-up change queued in this process for the engagement is written. */
export async function rollupsSettled(store: Store, engagementId: string): Promise<void> {
  await batchedWriterOf(store, WRITER)?.settled(engagementId);
}

/** The week keys of a window: its Monday and each following one up to the window's end. */
export function windowWeeks(window: Window, timezone: string): string[] {
  const first = new TZDate(window.start.getTime(), timezone);
  const last = weekKey(window.end, timezone);
  const keys: string[] = [];
  for (let i = 0; ; i++) {
    const key = format(addWeeks(first, i), 'yyyy-MM-dd');
    if (key > last) break;
    keys.push(key);
  }
  return keys;
}

/** The instants a week key spans in `timezone`: [start, end). */
function weekSpan(week: string, timezone: string): { start: Date; end: Date } {
  const [y, m, d] = week.split('-').map(Number) as [number, number, number];
  const start = weekStart(new TZDate(y, m - 1, d, 12, timezone), timezone);
  return { start, end: new Date(addWeeks(new TZDate(start.getTime(), timezone), 1).getTime()) };
}

/** The stored answers of an engagement answered in [from, to). */
function answersBetween(store: Store, engagementId: string, from: Date, to: Date) {
  return answerCollection(store)
    .find({ engagementId, answeredAt: { $gte: from, $lt: to } })
    .toArray();
}

/**
 * The tallies of one engagement's window from its roll-ups, once this process's queued changes
 * are written: one lookup by id per week, side and dimension, so the cost does not grow with
 * the number of stored answers. When the window ends inside a week that has answers after its
 * end (a window in the past), that week is counted from its ledger instead, to the second.
 */
export async function talliesFromRollups(
  store: Store,
  engagementId: string,
  timezone: string,
  window: Window,
): Promise<Tallies> {
  await rollupsSettled(store, engagementId);
  const weeks = windowWeeks(window, timezone);
  const ids = weeks.flatMap((w) => weekCellIds(engagementId, w));
  // FerretDB answers lookups by _id from its index but scans for `$in`; so one each.
  const found = await Promise.all(ids.map((_id) => rollupCollection(store).findOne({ _id })));
  const cells = found.filter((c): c is RollupCell => c !== null);
  const last = weeks.at(-1);
  const partial = cells.some((c) => c.week === last && c.lastAt && c.lastAt > window.end);
  const tallies = emptyTallies();
  addCells(tallies, partial ? cells.filter((c) => c.week !== last) : cells);
  if (partial && last) {
    const ledger = await ledgerCollection(store).findOne({ _id: ledgerId(engagementId, last) });
    if (ledger) addLedger(tallies, ledger, window.end);
  }
  return tallies;
}

/** Replaces the roll-ups and ledgers of `weeks` by those of `answers` (all stored in them). */
export async function replaceWeeks(
  store: Store,
  engagementId: string,
  weeks: string[],
  answers: AnswerRow[],
  timezone: string,
): Promise<void> {
  const cells = cellsOfAnswers(answers.map((a) => countedOf(a, timezone)));
  for (const cell of cells) {
    await rollupCollection(store).replaceOne({ _id: cell._id }, cell, { upsert: true });
  }
  const kept = new Set(cells.map((c) => c._id));
  const stale = weeks.flatMap((w) => weekCellIds(engagementId, w)).filter((id) => !kept.has(id));
  for (const _id of stale) await rollupCollection(store).deleteOne({ _id });
  const ledgers = ledgersOfAnswers(answers.map((a) => ({ ...countedOf(a, timezone), id: a._id })));
  for (const ledger of ledgers) {
    await ledgerCollection(store).replaceOne({ _id: ledger._id }, ledger, { upsert: true });
  }
  const withLedger = new Set(ledgers.map((l) => l._id));
  for (const week of weeks) {
    const _id = ledgerId(engagementId, week);
    if (!withLedger.has(_id)) await ledgerCollection(store).deleteOne({ _id });
  }
}

/** The stored answers of one week of an engagement. */
export function weekAnswers(
  store: Store,
  engagementId: string,
  week: string,
  timezone: string,
): Promise<AnswerRow[]> {
  const span = weekSpan(week, timezone);
  return answersBetween(store, engagementId, span.start, span.end);
}
