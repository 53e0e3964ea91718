import { Mutex } from 'async-mutex';
import type { Collection, UpdateFilter } from 'mongodb';
import type { Store } from './store.js';

/** An update of one document by `_id`, in a form that merges with others of the same. */
export interface DocUpdate {
  /** The collection's name. */
  collection: string;
  id: string;
  /** Amounts to add; merged updates add up, and fields that net to zero are dropped. */
  inc?: Record<string, number>;
  /** Values to set; of merged updates of a field, set or unset, the later one wins. */
  set?: Record<string, unknown>;
  /** Fields to remove. */
  unset?: string[];
  /** Times to raise fields to; of merged updates, the latest wins. */
  max?: Record<string, Date>;
  /** Values a new document starts with; of merged updates, the first wins. */
  setOnInsert?: Record<string, unknown>;
}

type Merged = Required<DocUpdate>;

/** Merges updates by collection and document, in order. */
export function mergeUpdates(updates: DocUpdate[]): Merged[] {
  const byId = new Map<string, Merged>();
  for (const u of updates) {
    const key = `${u.collection}\u0000${u.id}`;
    let m = byId.get(key);
    if (!m) {
      const { collection, id } = u;
      m = { collection, id, inc: {}, set: {}, unset: [], max: {}, setOnInsert: {} };
      byId.set(key, m);
    }
    for (const [f, v] of Object.entries(u.inc ?? {})) m.inc[f] = (m.inc[f] ?? 0) + v;
    for (const [f, v] of Object.entries(u.set ?? {})) {
      m.set[f] = v;
      m.unset = m.unset.filter((x) => x !== f);
    }
    for (const f of u.unset ?? []) {
      delete m.set[f];
      if (!m.unset.includes(f)) m.unset.push(f);
    }
    for (const [f, v] of Object.entries(u.max ?? {})) if (!m.max[f] || m.max[f] < v) m.max[f] = v;
    m.setOnInsert = { ...u.setOnInsert, ...m.setOnInsert };
  }
  for (const m of byId.values()) {
    for (const [f, v] of Object.entries(m.inc)) if (v === 0) delete m.inc[f];
  }
  return [...byId.values()];
}

function mongoUpdate(u: Merged): UpdateFilter<{ _id: string }> {
  const update: Record<string, object> = {};
  if (Object.keys(u.inc).length > 0) update.$inc = u.inc;
  if (Object.keys(u.set).length > 0) update.$set = u.set;
  if (u.unset.length > 0) update.$unset = Object.fromEntries(u.unset.map((f) => [f, '']));
  if (Object.keys(u.max).length > 0) update.$max = u.max;
  if (Object.keys(u.setOnInsert).length > 0) update.$setOnInsert = u.setOnInsert;
  return update;
}

interface Queued {
  updates: DocUpdate[];
  afterStored: () => Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface Group {
  name: string;
  lock: Mutex;
  waiting: Queued[];
  /** The latest batch scheduled; it never rejects. */
  last: Promise<void>;
  /** Ends the wait of the batch being gathered, if one is. */
  kick: (() => void) | null;
}

/**
 * How long a batch gathers updates before it is written: 250 ms. Writes are what cost on the
 * database (about a millisecond each on FerretDB, whatever they hold), so updates arriving one
 * by one share writes too. Reads and shutdown need not wait for it (settled kicks it).
 */
const GATHER_MS = 250;

/** A batch holding this many queued calls is written without waiting longer. */
const FULL_BATCH = 256;

/** Wraps the write of each batch of a group, as in a lock shared with other processes. */
export type Guard = (group: string, task: () => Promise<void>) => Promise<void>;

/**
 * Writes counters and sets behind their callers, a batch at a time per group (an engagement),
 * merging the updates of each batch per document. FerretDB 1.24
 * applies an update as a read followed by a write, so two updates of one document at the same
 * moment can lose one; within a process, a group's batches therefore go one after another, and
 * each document is written once per batch. Updates are by `_id` alone, which FerretDB looks up
 * by index (any other filter scans the collection).
 */
export class BatchedWriter {
  private readonly groups = new Map<string, Group>();

  constructor(
    private readonly collection: (name: string) => Collection<{ _id: string }>,
    private readonly guard: Guard = (_group, task) => task(),
  ) {}

  /**
   * Queues updates of a group and `afterStored` to run once they are written; the promise
   * resolves when both are done, and rejects if the write fails.
   */
  write(
    group: string,
    updates: DocUpdate[],
    afterStored: () => Promise<void> = () => Promise.resolve(),
  ): Promise<void> {
    const g = this.groupOf(group);
    return new Promise((resolve, reject) => {
      g.waiting.push({ updates, afterStored, resolve, reject });
      if (g.waiting.length === 1) this.gather(g);
      else if (g.waiting.length >= FULL_BATCH) g.kick?.();
    });
  }

  /** Resolves once everything queued for the group in this process before the call is written. */
  async settled(group: string): Promise<void> {
    const g = this.groups.get(group);
    if (!g) return;
    g.kick?.();
    await g.last;
  }

  /** Resolves once everything queued in this process is written, as at shutdown. */
  async allSettled(): Promise<void> {
    await Promise.all([...this.groups.keys()].map((g) => this.settled(g)));
  }

  /** Runs `task` with no batch of the group being written meanwhile in this process. */
  exclusive<T>(group: string, task: () => Promise<T>): Promise<T> {
    return this.groupOf(group).lock.runExclusive(task);
  }

  private groupOf(group: string): Group {
    let g = this.groups.get(group);
    if (!g) {
      g = { name: group, lock: new Mutex(), waiting: [], last: Promise.resolve(), kick: null };
      this.groups.set(group, g);
    }
    return g;
  }

  /** Starts a batch: it waits GATHER_MS, or until kicked, then waits its turn and is written. */
  private gather(g: Group): void {
    const gathered = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, GATHER_MS);
      g.kick = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    g.last = gathered.then(() => {
      g.kick = null;
      return g.lock.runExclusive(() => this.flush(g));
    });
  }

  private async flush(g: Group): Promise<void> {
    const batch = g.waiting.splice(0);
    try {
      await this.guard(g.name, async () => {
        const merged = mergeUpdates(batch.flatMap((b) => b.updates));
        await Promise.all(
          merged
            .filter((u) => Object.keys(mongoUpdate(u)).length > 0)
            .map((u) =>
              this.collection(u.collection).updateOne({ _id: u.id }, mongoUpdate(u), {
                upsert: true,
              }),
            ),
        );
        await Promise.all(batch.map((b) => b.afterStored().then(b.resolve, b.reject)));
      });
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  }
}

const registry = new WeakMap<Store, Map<string, BatchedWriter>>();

/** The store's batched writer named `name`, made on first use with `guard`. */
export function batchedWriter(store: Store, name: string, guard?: Guard): BatchedWriter {
  let byName = registry.get(store);
  if (!byName) registry.set(store, (byName = new Map<string, BatchedWriter>()));
  let writer = byName.get(name);
  if (!writer) {
    const collection = (c: string) => store.connection.collection<{ _id: string }>(c);
    writer = new BatchedWriter(collection, guard);
    byName.set(name, writer);
  }
  return writer;
}

/** The store's batched writer named `name`, if one was made. */
export function batchedWriterOf(store: Store, name: string): BatchedWriter | undefined {
  return registry.get(store)?.get(name);
}

/** Resolves once every batched write of the store queued in this process is written. */
export async function allBatchedWritesSettled(store: Store): Promise<void> {
  await Promise.all([...(registry.get(store)?.values() ?? [])].map((w) => w.allSettled()));
}
