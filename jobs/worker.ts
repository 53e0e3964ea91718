import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RetryLaterError } from '../src/services/retry-later.js';
import { catalog, isJobName, type JobName, type JobPayload } from './catalog.js';
import { QUEUE_NAME } from './queue.js';

/** What each job kind does. */
export type Handlers = {
  [N in JobName]: (payload: JobPayload<N>, log: Logger) => Promise<unknown>;
};

export interface WorkerOptions {
  connection: Redis;
  prefix: string;
  handlers: Handlers;
  log: Logger;
  /** Jobs run at once in this process; default 20. */
  concurrency?: number;
  /**
   * Milliseconds a job stays locked to this worker without renewal, and the interval at which
   * jobs of dead workers are taken back; default 30,000.
   */
  lockDurationMs?: number;
}

class JobTimeoutError extends Error {
  readonly code = 'JOB_TIMEOUT';
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new JobTimeoutError(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs jobs from the queue: each payload is checked against the catalog again before its
 * handler runs, and a job that breaks the catalog fails at once instead of being retried.
 */
export function startWorker(options: WorkerOptions): Worker {
  const process = async (job: Job, token?: string) => {
    const log = options.log.child({ jobId: job.id, job: job.name, attempt: job.attemptsMade + 1 });
    if (!isJobName(job.name)) throw new UnrecoverableError(`unknown job ${job.name}`);
    const spec = catalog[job.name];
    const parsed = spec.payload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad payload for ${job.name}`);
    const handler = options.handlers[job.name] as (p: unknown, l: Logger) => Promise<unknown>;
    try {
      return await withTimeout(handler(parsed.data, log), spec.timeoutMs);
    } catch (err) {
      if (!(err instanceof RetryLaterError) || token === undefined) throw err;
      log.info({ delayMs: err.delayMs, reason: err.message }, 'job runs again later');
      await job.moveToDelayed(Date.now() + err.delayMs, token);
      throw new DelayedError();
    }
  };
  const worker = new Worker(QUEUE_NAME, process, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency ?? 20,
    ...(options.lockDurationMs
      ? { lockDuration: options.lockDurationMs, stalledInterval: options.lockDurationMs }
      : {}),
  });
  worker.on('failed', (job, err) => {
    options.log.warn({ jobId: job?.id, job: job?.name, err: err.message }, 'job failed');
  });
  worker.on('error', (err) => options.log.error({ err: err.message }, 'worker error'));
  return worker;
}
