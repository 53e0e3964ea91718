import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { catalog, type JobName, type JobPayload, type JobSpec } from './catalog.js';

/** The one queue all Rapport jobs go through. */
export const QUEUE_NAME = 'rapport';

/** Completed and failed jobs are kept this long, so a repeated job id stays a no-op. */
const KEEP_SECONDS = 14 * 24 * 3600;

export interface EnqueueOptions {
  /** Idempotency key: a job with an id that exists already is not added again. */
  jobId: string;
  /** Milliseconds to wait before the job runs; 0 or absent runs it now. */
  delay?: number;
}

/** Repeated firing of a job on a cron pattern in a time zone. */
export interface Repeat {
  pattern: string;
  tz: string;
}

/** The BullMQ options every job of a kind gets from its catalog entry. */
function kindOptions(spec: JobSpec) {
  return {
    attempts: spec.attempts,
    backoff: { type: 'exponential' as const, delay: spec.backoffMs },
    removeOnComplete: { age: KEEP_SECONDS },
    removeOnFail: { age: KEEP_SECONDS },
    ...(spec.priority === undefined ? {} : { priority: spec.priority }),
  };
}

/** Typed access to the queue: payloads are validated against the catalog when enqueued. */
export class JobQueue {
  readonly queue: Queue;

  constructor(
    readonly connection: Redis,
    readonly prefix: string,
  ) {
    this.queue = new Queue(QUEUE_NAME, { connection, prefix });
  }

  async enqueue<N extends JobName>(
    name: N,
    payload: JobPayload<N>,
    options: EnqueueOptions,
  ): Promise<void> {
    const spec = catalog[name];
    const data: unknown = spec.payload.parse(payload);
    await this.queue.add(name, data, {
      jobId: options.jobId,
      delay: Math.max(0, options.delay ?? 0),
      ...kindOptions(spec),
    });
  }

  /**
   * Enqueues many jobs of one kind in one round trip; as with `enqueue`, a job whose id exists
   * already is not added again.
   */
  async enqueueMany<N extends JobName>(
    name: N,
    jobs: { payload: JobPayload<N>; options: EnqueueOptions }[],
  ): Promise<void> {
    if (jobs.length === 0) return;
    const spec = catalog[name];
    await this.queue.addBulk(
      jobs.map(({ payload, options }) => ({
        name,
        data: spec.payload.parse(payload),
        opts: {
          jobId: options.jobId,
          delay: Math.max(0, options.delay ?? 0),
          ...kindOptions(spec),
        },
      })),
    );
  }

  /** Creates or updates the scheduler `id`, which fires job `name` on `repeat`. */
  async schedule<N extends JobName>(
    id: string,
    repeat: Repeat,
    name: N,
    payload: JobPayload<N>,
  ): Promise<void> {
    const spec = catalog[name];
    await this.queue.upsertJobScheduler(id, repeat, {
      name,
      data: spec.payload.parse(payload),
      opts: kindOptions(spec),
    });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

/**
 * A Redis connection for BullMQ. Workers wait for Redis to come back (`kind: 'worker'`);
 * producers, health checks and the CLI fail fast instead of hanging while it is away.
 * Connection errors are reported once through `onError` rather than printed by ioredis.
 */
export function redisConnection(
  url: string,
  kind: 'worker' | 'producer',
  onError: (err: Error) => void,
): Redis {
  const redis =
    kind === 'worker'
      ? new Redis(url, { maxRetriesPerRequest: null })
      : new Redis(url, {
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          connectTimeout: 3000,
          lazyConnect: true,
        });
  let reported = false;
  redis.on('error', (err: Error) => {
    if (!reported) onError(err);
    reported = true;
  });
  redis.on('ready', () => {
    reported = false;
  });
  return redis;
}
