import { Mutex } from 'async-mutex';
import { TZDate } from '@date-fns/tz';
import { addWeeks, format } from 'date-fns';
import type { Document } from 'mongodb';
import type { Dimension, Side } from '../domain/dimension.js';
import {
  cellPath,
  counterDelta,
  entryKey,
  talliesOfWeeks,
  weekDocId,
  weeksOfAnswers,
  type RollupEntry,
  type RollupWeek,
} from '../domain/rollup.js';
import type { Tallies } from '../domain/scores.js';
import { weekKey, type Window } from '../domain/window.js';
import { isDuplicateKey, type Store } from '../store/store.js';

/** What the roll-ups need to know of one answer: where it is counted and as what. */
export interface AnswerState {
  id: string;
  engagementId: string;
  side: Side;
  dimension: Dimension;
  personId: string;
  score: number;
  answeredAt: Date;
}

/** A stored answer as the native driver returns it. */
export interface AnswerRow extends Omit<AnswerState, 'id'> {
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
  return store.connection.collection<RollupWeek>(store.rollups.collection.collectionName);
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

function entryOf(a: AnswerState): RollupEntry {
  return { p: a.personId, t: a.answeredAt, s: a.score };
}

function sameEntry(x: RollupEntry | null, y: RollupEntry | null): boolean {
  if (x === null || y === null) return x === y;
  return x.p === y.p && x.s === y.s && x.t.getTime() === y.t.getTime();
}

interface Cell {
  engagementId: string;
  week: string;
  side: Side;
  dimension: Dimension;
}

/**
 * Changes one answer's entry in a week's roll-up from `from` to `to` (null: absent) and moves
 * the counters with it, only if the entry is still `from`: a compare-and-set, so the same
 * change applied twice counts once. Returns false when the entry was not `from`.
 */
async function moveEntry(
  store: Store,
  cell: Cell,
  key: string,
  from: RollupEntry | null,
  to: RollupEntry | null,
): Promise<boolean> {
  const base = cellPath(cell.side, cell.dimension);
  const field = `${base}.entries.${key}`;
  const filter: Document = { _id: weekDocId(cell.engagementId, cell.week) };
  if (from) {
    filter[`${field}.s`] = from.s;
    filter[`${field}.t`] = from.t;
  } else {
    filter[field] = { $exists: false };
  }
  const inc = Object.fromEntries(
    Object.entries(counterDelta(cell.dimension, from?.s ?? null, to?.s ?? null)).map(([f, v]) => [
      `${base}.${f}`,
      v,
    ]),
  );
  const update: Document = to
    ? { $set: { [field]: to }, $max: { lastAt: to.t } }
    : { $unset: { [field]: '' } };
  if (Object.keys(inc).length > 0) update.$inc = inc;
  if (!from) update.$setOnInsert = { engagementId: cell.engagementId, week: cell.week };
  try {
    // findOneAndUpdate, not updateOne: FerretDB 1.24 looks the former up by _id, but scans
    // the whole collection for the latter.
    const res = await rollupCollection(store).findOneAndUpdate(filter, update, {
      upsert: !from,
      includeResultMetadata: true,
    });
    return (res.lastErrorObject?.n ?? 0) > 0;
  } catch (err) {
    // An upsert that finds the week but not the expected entry tries to insert the week again.
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

function cellOf(a: Pick<AnswerState, 'engagementId' | 'side' | 'dimension'>, week: string): Cell {
  return { engagementId: a.engagementId, week, side: a.side, dimension: a.dimension };
}

/**
 * FerretDB 1.24 applies an update as a read followed by a write, so two updates of one week
 * document at the same moment can lose one of them (MongoDB applies each atomically). Roll-up
 * writes of an engagement are therefore made one at a time within a process; writes from two
 * processes at the same instant can still drift on FerretDB, and `scores rebuild` mends that.
 */
const engagementLocks = new Map<string, Mutex>();

function lockOf(engagementId: string): Mutex {
  let lock = engagementLocks.get(engagementId);
  if (!lock) {
    lock = new Mutex();
    engagementLocks.set(engagementId, lock);
  }
  return lock;
}

/**
 * Moves the roll-ups from an answer's earlier state (`before`, null for a new answer) to its
 * stored state `after`. When another write got there first, it reconciles with what is stored.
 */
export async function applyAnswerChange(
  store: Store,
  timezone: string,
  before: AnswerState | null,
  after: AnswerState,
): Promise<void> {
  await lockOf(after.engagementId).runExclusive(() =>
    applyAnswerChangeNow(store, timezone, before, after),
  );
}

async function applyAnswerChangeNow(
  store: Store,
  timezone: string,
  before: AnswerState | null,
  after: AnswerState,
): Promise<void> {
  const key = entryKey(after.id);
  const newWeek = weekKey(after.answeredAt, timezone);
  const oldWeek = before ? weekKey(before.answeredAt, timezone) : null;
  let ok: boolean;
  if (before && oldWeek === newWeek) {
    ok = await moveEntry(store, cellOf(after, newWeek), key, entryOf(before), entryOf(after));
  } else {
    const left = before
      ? await moveEntry(store, cellOf(before, oldWeek!), key, entryOf(before), null)
      : true;
    const arrived = await moveEntry(store, cellOf(after, newWeek), key, null, entryOf(after));
    ok = left && arrived;
  }
  if (!ok) await reconcileNow(store, timezone, after, oldWeek ? [oldWeek] : []);
}

/**
 * Makes the roll-ups hold exactly what is stored for one answer: its entry in its own week,
 * none in the `otherWeeks` it may have been counted in before. Safe to run at any time.
 */
export async function reconcileAnswer(
  store: Store,
  timezone: string,
  answer: Pick<AnswerState, 'id' | 'engagementId' | 'side' | 'dimension'>,
  otherWeeks: string[],
): Promise<void> {
  await lockOf(answer.engagementId).runExclusive(() =>
    reconcileNow(store, timezone, answer, otherWeeks),
  );
}

async function reconcileNow(
  store: Store,
  timezone: string,
  answer: Pick<AnswerState, 'id' | 'engagementId' | 'side' | 'dimension'>,
  otherWeeks: string[],
): Promise<void> {
  const key = entryKey(answer.id);
  for (let attempt = 0; attempt < 5; attempt++) {
    const stored = await answerCollection(store).findOne({ _id: answer.id });
    const week = stored ? weekKey(stored.answeredAt, timezone) : null;
    const weeks = new Set([...otherWeeks, ...(week ? [week] : [])]);
    let settled = true;
    for (const w of weeks) {
      const field = `${cellPath(answer.side, answer.dimension)}.entries.${key}`;
      const doc = await rollupCollection(store).findOne(
        { _id: weekDocId(answer.engagementId, w) },
        { projection: { [field]: 1 } },
      );
      const current = doc?.[answer.side]?.[answer.dimension]?.entries?.[key] ?? null;
      const wanted = stored && w === week ? entryOf({ ...stored, id: answer.id }) : null;
      if (sameEntry(current, wanted)) continue;
      if (!(await moveEntry(store, cellOf(answer, w), key, current, wanted))) settled = false;
    }
    if (settled) return;
  }
  throw new Error(`roll-ups of answer ${answer.id} kept changing; run rapport scores rebuild`);
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

/**
 * The tallies of one engagement's window from its week roll-ups: one lookup by id per week,
 * so the cost does not grow with the number of stored answers.
 */
export async function talliesFromRollups(
  store: Store,
  engagementId: string,
  timezone: string,
  window: Window,
): Promise<Tallies> {
  const ids = windowWeeks(window, timezone).map((w) => weekDocId(engagementId, w));
  // FerretDB answers lookups by _id from its primary key but scans for `$in`; so one each.
  const docs = await Promise.all(ids.map((_id) => rollupCollection(store).findOne({ _id })));
  return talliesOfWeeks(
    docs.filter((d): d is RollupWeek => d !== null),
    window.end,
  );
}

/**
 * Recomputes an engagement's roll-ups from its stored answers and replaces the old ones.
 * It is a repair: answers written while it runs may be counted off until they are clicked
 * again or it runs again. Returns the number of answers and of weeks.
 */
export async function rebuildRollups(
  store: Store,
  engagementId: string,
): Promise<{ answers: number; weeks: number }> {
  const timezone = await engagementTimezone(store, engagementId);
  const answers = await answerCollection(store).find({ engagementId }).toArray();
  const weeks = weeksOfAnswers(
    engagementId,
    answers.map((a) => ({
      id: a._id,
      side: a.side,
      dimension: a.dimension,
      week: weekKey(a.answeredAt, timezone),
      personId: a.personId,
      answeredAt: a.answeredAt,
      score: a.score,
    })),
  );
  for (const w of weeks) {
    await rollupCollection(store).replaceOne({ _id: w._id }, w, { upsert: true });
  }
  await rollupCollection(store).deleteMany({
    engagementId,
    _id: { $nin: weeks.map((w) => w._id) },
  });
  return { answers: answers.length, weeks: weeks.length };
}
