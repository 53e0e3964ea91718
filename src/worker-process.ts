import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import { jobHandlers } from '../jobs/handlers.js';
import { redisConnection } from '../jobs/queue.js';
import { syncPlanSchedulers } from '../jobs/plan-schedulers.js';
import { syncSchedulers } from '../jobs/schedulers.js';
import { startWorker } from '../jobs/worker.js';
import { openRuntime, type Runtime } from './app.js';
import type { Env } from './config/env.js';

export interface WorkerProcess {
  runtime: Runtime;
  worker: Worker;
  stop(): Promise<void>;
}

/**
 * Runs the job workers without the HTTP server, for `rapport worker`. It keeps the planning
 * schedulers too, as `start` does; the upserts are idempotent, so any number of processes
 * may boot together.
 */
export async function startWorkerProcess(env: Env, log: Logger): Promise<WorkerProcess> {
  const runtime = await openRuntime(env, log);
  const connection = redisConnection(env.REDIS_URL, 'worker', (err) =>
    log.error({ err: err.message }, 'redis unreachable (worker waits)'),
  );
  const worker = startWorker({
    connection,
    prefix: env.RAPPORT_QUEUE_PREFIX,
    handlers: jobHandlers(runtime.ctx),
    log: log.child({ component: 'worker' }),
    lockDurationMs: env.RAPPORT_JOB_LOCK_MS,
    concurrency: env.RAPPORT_WORKER_CONCURRENCY,
  });
  const engagements = await syncSchedulers(runtime.ctx);
  await syncPlanSchedulers(runtime.ctx);
  log.info({ engagements, pid: process.pid }, 'rapport worker is running');
  return {
    runtime,
    worker,
    async stop() {
      await worker.close();
      connection.disconnect();
      await runtime.close();
    },
  };
}
