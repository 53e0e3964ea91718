import type { Store } from '../store/store.js';
import type { Context } from './context.js';

/**
 * Engagements and pulses as read a moment ago, shared by the sends running in one process:
 * ten thousand deliveries of a hundred engagements then read each engagement and pulse about
 * once a second instead of once per delivery. A pause or a close made in this process is seen
 * at once (they call `forgetRecentReads`); one made in another process within `FRESH_MS` is
 * seen by the delivery's own state, which both also set, or at the next read.
 */

/** How long a read is reused, in milliseconds of real time. */
const FRESH_MS = 1_000;

type Entry = { at: number; value: Promise<unknown> };

const byStore = new WeakMap<Store, Map<string, Entry>>();

/** The value kept under `key` if it was read less than `freshMs` ago; never reads. */
function kept<T>(store: Store, key: string, freshMs = FRESH_MS): Promise<T> | undefined {
  const hit = byStore.get(store)?.get(key);
  return hit && performance.now() - hit.at < freshMs ? (hit.value as Promise<T>) : undefined;
}

function recent<T>(
  store: Store,
  key: string,
  read: () => Promise<T>,
  freshMs = FRESH_MS,
): Promise<T> {
  let entries = byStore.get(store);
  if (!entries) {
    entries = new Map();
    byStore.set(store, entries);
  }
  const now = performance.now();
  const hit = entries.get(key);
  if (hit && now - hit.at < freshMs) return hit.value as Promise<T>;
  if (entries.size > 10_000) entries.clear();
  const value = read();
  entries.set(key, { at: now, value });
  // A failed read is not kept.
  value.catch(() => entries.delete(key));
  return value;
}

/** The engagement, read at most `FRESH_MS` ago. */
export function recentEngagement(ctx: Context, engagementId: string) {
  return recent(ctx.store, `engagement:${engagementId}`, () =>
    ctx.store.engagements.findById(engagementId).lean().exec(),
  );
}

/** The pulse, read at most `FRESH_MS` ago. */
export function recentPulse(ctx: Context, pulseId: string) {
  return recent(ctx.store, `pulse:${pulseId}`, () =>
    ctx.store.pulses.findById(pulseId).lean().exec(),
  );
}

/** How long the active people of all engagements, read at once, are reused while planning. */
const PEOPLE_FRESH_MS = 10_000;

async function activePeopleByEngagement(store: Store) {
  const people = await store.people.find({ active: true }).lean().exec();
  const byEngagement = new Map<string, typeof people>();
  for (const p of people) {
    const list = byEngagement.get(p.engagementId) ?? [];
    byEngagement.set(p.engagementId, list);
    list.push(p);
  }
  return byEngagement;
}

/**
 * The active people of an engagement, from one read of every engagement's active people
 * made at most `PEOPLE_FRESH_MS` ago: FerretDB scans the whole collection for any filter
 * but `_id`, so the planning jobs of a hundred engagements firing together share one scan.
 * People added by another process within that time are planned at the next planning.
 */
export async function recentActivePeople(ctx: Context, engagementId: string) {
  const all = await recent(
    ctx.store,
    'active-people',
    () => activePeopleByEngagement(ctx.store),
    PEOPLE_FRESH_MS,
  );
  // An engagement the shared read does not know may have been imported since: read it now.
  return (
    all.get(engagementId) ??
    (await ctx.store.people.find({ engagementId, active: true }).lean().exec())
  );
}

/**
 * The active people of an engagement by `_id`, when planning read them a moment ago (within
 * `PEOPLE_FRESH_MS`) in this process; undefined otherwise, and nothing is read. Sends that
 * follow their planning use it instead of reading the people again. A pause made since is met
 * by the send's claim (send-claims.ts); a person the copy shows paused is read again, in case
 * of a resume since.
 */
export async function plannedPeople(ctx: Context, engagementId: string) {
  const all = kept<Awaited<ReturnType<typeof activePeopleByEngagement>>>(
    ctx.store,
    'active-people',
    PEOPLE_FRESH_MS,
  );
  const people = (await all?.catch(() => undefined))?.get(engagementId);
  if (!people) return undefined;
  let byId = peopleById.get(people);
  if (!byId) {
    byId = new Map(people.map((p) => [String(p._id), p]));
    peopleById.set(people, byId);
  }
  return byId;
}

const peopleById = new WeakMap<object, Map<string, PersonRecord>>();

type PersonRecord = Awaited<ReturnType<typeof recentActivePeople>>[number];

/** Drops every kept read of this store, after a change sends must see at once. */
export function forgetRecentReads(store: Store): void {
  byStore.get(store)?.clear();
}
