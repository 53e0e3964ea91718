import { Mutex } from 'async-mutex';
import { TZDate } from '@date-fns/tz';
import { addWeeks, format } from 'date-fns';
import type { Dimension, Side } from '../domain/dimension.js';
import {
  addCells,
  cellId,
  cellsOfAnswers,
  mergeChanges,
  personKey,
  weekCellIds,
  type CellChange,
  type Counted,
  type RollupCell,
} from '../domain/rollup.js';
import { addToTally, emptyTallies, type Tallies } from '../domain/scores.js';
import { weekKey, weekStart, type Window } from '../domain/window.js';
import type { Store } from '../store/store.js';

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
 * The roll-up writes of one engagement within this process. FerretDB 1.24 applies an update
 * as a read followed by a write, so two updates of one document at the same moment can lose
 * one; the writes of an engagement therefore go one batch at a time. Changes that arrive while
 * a batch is being written wait and go together in the next one, merged per roll-up: under a
 * burst of answers each roll-up is written once per batch, not once per answer.
 */
interface Queued {
  changes: CellChange[];
  afterStored: () => Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface EngagementWriter {
  lock: Mutex;
  waiting: Queued[];
  /** The latest batch scheduled; it never rejects. */
  last: Promise<void>;
  /** Ends the wait of the batch being gathered, if one is. */
  kick: (() => void) | null;
}

/**
 * How long a batch gathers changes before it is written: 100 ms. Writes are what cost on the
 * database (about a millisecond each on FerretDB, whatever they hold), so answers arriving one
 * by one share roll-up writes too. Reads and shutdown do not wait for it (rollupsSettled).
 */
const GATHER_MS = 100;

/** A batch holding this many queued answers is written without waiting longer. */
const FULL_BATCH = 256;

const writers = new WeakMap<Store, Map<string, EngagementWriter>>();

function writersOf(store: Store): Map<string, EngagementWriter> {
  let byEngagement = writers.get(store);
  if (!byEngagement) writers.set(store, (byEngagement = new Map<string, EngagementWriter>()));
  return byEngagement;
}

function writerOf(store: Store, engagementId: string): EngagementWriter {
  const byEngagement = writersOf(store);
  let writer = byEngagement.get(engagementId);
  if (!writer) {
    writer = { lock: new Mutex(), waiting: [], last: Promise.resolve(), kick: null };
    byEngagement.set(engagementId, writer);
  }
  return writer;
}

async function writeChanges(store: Store, changes: CellChange[]): Promise<void> {
  await Promise.all(
    changes.map((c) => {
      const { engagementId, week, side, dimension } = c.key;
      const update: Record<string, object> = {
        $setOnInsert: { engagementId, week, side, dimension },
      };
      if (Object.keys(c.inc).length > 0) update.$inc = c.inc;
      if (c.lastAt) update.$max = { lastAt: c.lastAt };
      // A filter of `_id` alone: FerretDB looks that up by index, and scans for anything more.
      return rollupCollection(store).updateOne({ _id: cellId(c.key) }, update, { upsert: true });
    }),
  );
}

async function flush(store: Store, writer: EngagementWriter): Promise<void> {
  const batch = writer.waiting.splice(0);
  try {
    await writeChanges(store, mergeChanges(batch.flatMap((b) => b.changes)));
  } catch (err) {
    for (const b of batch) b.reject(err);
    return;
  }
  await Promise.all(batch.map((b) => b.afterStored().then(b.resolve, b.reject)));
}

/**
 * Queues changes to an engagement's roll-ups, and `afterStored` to run once they are written;
 * the promise resolves when both are done. A caller need not wait for it: reads of the
 * engagement's scores in this process wait for what was queued before them (rollupsSettled).
 */
export function applyChanges(
  store: Store,
  engagementId: string,
  changes: CellChange[],
  afterStored: () => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  const writer = writerOf(store, engagementId);
  return new Promise((resolve, reject) => {
    writer.waiting.push({ changes, afterStored, resolve, reject });
    if (writer.waiting.length === 1) gather(store, writer);
    else if (writer.waiting.length >= FULL_BATCH) writer.kick?.();
  });
}

/** Starts a batch: it waits GATHER_MS, or until kicked, then waits its turn and is written. */
function gather(store: Store, writer: EngagementWriter): void {
  const gathered = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, GATHER_MS);
    writer.kick = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  writer.last = gathered.then(() => {
    writer.kick = null;
    return writer.lock.runExclusive(() => flush(store, writer));
  });
}

/** Resolves once every roll-up change queued in this process for the engagement is written. */
export async function rollupsSettled(store: Store, engagementId: string): Promise<void> {
  const writer = writersOf(store).get(engagementId);
  if (!writer) return;
  let last: Promise<void>;
  do {
    writer.kick?.();
    last = writer.last;
    await last;
  } while (last !== writer.last);
}

/** Resolves once every roll-up change queued in this process is written, as at shutdown. */
export async function allRollupsSettled(store: Store): Promise<void> {
  await Promise.all([...writersOf(store).keys()].map((id) => rollupsSettled(store, id)));
}

/** Runs `task` with no roll-up write of the engagement under way in this process. */
function exclusive<T>(store: Store, engagementId: string, task: () => Promise<T>): Promise<T> {
  return writerOf(store, engagementId).lock.runExclusive(task);
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

function answersBetween(
  store: Store,
  engagementId: string,
  from: Date,
  to: Date,
  end: 'lt' | 'lte',
) {
  return answerCollection(store)
    .find({ engagementId, answeredAt: { $gte: from, [`$${end}`]: to } })
    .toArray();
}

/**
 * The tallies of one engagement's window from its roll-ups, once this process's queued changes
 * are written: one lookup by id per week, side and dimension, so the cost does not grow with
 * the number of stored answers. Only when the window
 * ends inside a week that has answers after its end (a window in the past) are that one week's
 * answers read, up to the end.
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
    const span = weekSpan(last, timezone);
    for (const a of await answersBetween(store, engagementId, span.start, window.end, 'lte')) {
      addToTally(tallies[a.side][a.dimension], a.dimension, a.score, personKey(a.personId));
    }
  }
  return tallies;
}

async function replaceWeeks(
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
}

/**
 * Recomputes the roll-ups of some weeks of an engagement from the answers stored in them, as
 * after a crash between an answer's write and its roll-up's. Returns the answers counted.
 */
export async function rebuildWeeks(
  store: Store,
  engagementId: string,
  weeks: string[],
): Promise<number> {
  const timezone = await engagementTimezone(store, engagementId);
  return exclusive(store, engagementId, async () => {
    let counted = 0;
    for (const week of new Set(weeks)) {
      const span = weekSpan(week, timezone);
      const answers = await answersBetween(store, engagementId, span.start, span.end, 'lt');
      await replaceWeeks(store, engagementId, [week], answers, timezone);
      counted += answers.length;
    }
    return counted;
  });
}

/**
 * Recomputes all of an engagement's roll-ups from its stored answers and replaces the old
 * ones. It is a repair: answers written meanwhile by another process may be counted off until
 * it runs again. Returns the number of answers and of weeks.
 */
export async function rebuildRollups(
  store: Store,
  engagementId: string,
): Promise<{ answers: number; weeks: number }> {
  const timezone = await engagementTimezone(store, engagementId);
  return exclusive(store, engagementId, async () => {
    const answers = await answerCollection(store).find({ engagementId }).toArray();
    const stored = await rollupCollection(store)
      .find({ engagementId })
      .project<{ week: string }>({ week: 1 })
      .toArray();
    const weeks = new Set([
      ...stored.map((c) => c.week),
      ...answers.map((a) => weekKey(a.answeredAt, timezone)),
    ]);
    await replaceWeeks(store, engagementId, [...weeks], answers, timezone);
    return {
      answers: answers.length,
      weeks: new Set(answers.map((a) => weekKey(a.answeredAt, timezone))).size,
    };
  });
}
