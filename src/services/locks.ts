import Redlock from 'redlock';
import type { Redis } from 'ioredis';
import type { Context } from './context.js';

/** How long a lock is held before Redis lets it go, unless its holder extends it: 10 s. */
const LOCK_MS = 10_000;

const locks = new WeakMap<Redis, Redlock>();

function redlockOf(redis: Redis): Redlock {
  let redlock = locks.get(redis);
  if (!redlock) {
    // Up to about 30 s of waiting, in 50–100 ms steps, before giving up with an error.
    redlock = new Redlock([redis], { retryCount: 400, retryDelay: 50, retryJitter: 50 });
    locks.set(redis, redlock);
  }
  return redlock;
}

/**
 * Runs `task` holding a lock on `resource` shared by every Rapport process on the same Redis
 * and queue prefix; the lock is extended while the task runs. Throws if the lock cannot be
 * had within about 30 s.
 */
export function withLock<T>(ctx: Context, resource: string, task: () => Promise<T>): Promise<T> {
  const key = `${ctx.jobs.prefix}:lock:${resource}`;
  return redlockOf(ctx.jobs.connection).using([key], LOCK_MS, () => task());
}
