import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from 'bullmq';
import express from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ChatPorts } from '../adapters/chat-port.js';
import { registerPlanActions } from '../adapters/plan-actions.js';
import { createSlackApp } from '../adapters/slack/slack-app.js';
import { createSlackChat } from '../adapters/slack/slack-chat.js';
import { createTeams, mountTeams, type Teams } from '../adapters/teams/teams-app.js';
import { teamsMode } from '../adapters/teams/teams-config.js';
import { jobHandlers } from '../jobs/handlers.js';
import { JobQueue, redisConnection } from '../jobs/queue.js';
import { syncPlanSchedulers } from '../jobs/plan-schedulers.js';
import { syncSchedulers } from '../jobs/schedulers.js';
import { startWorker } from '../jobs/worker.js';
import { readEngagementFile } from './config/engagement-file.js';
import type { Env } from './config/env.js';
import { healthRoutes } from './http/health.js';
import { importEngagements } from './services/engagement-import.js';
import type { Context } from './services/context.js';
import { UserError } from './errors.js';
import { allBatchedWritesSettled } from './store/batched-writes.js';
import { closeStore, openStore } from './store/store.js';

/** A running context with the connections it owns, so they can be closed in order. */
export interface Runtime {
  ctx: Context;
  redis: Redis;
  close(): Promise<void>;
}

/** The Teams adapter the environment allows, or null when Teams is off (the log says why). */
function teamsOf(env: Env, log: Logger): Teams | null {
  const mode = teamsMode(env);
  if (mode.kind === 'off') {
    log.info(`Teams is off: ${mode.reason}`);
    return null;
  }
  if (mode.kind === 'development') {
    log.warn('Teams runs unauthenticated (no TEAMS_CLIENT_ID): for development only');
  }
  return createTeams(mode, log);
}

function chatPorts(env: Env, log: Logger, teams: Teams | null): ChatPorts {
  const ports: ChatPorts = {};
  if (teams) ports.teams = teams.chat;
  if (env.SLACK_BOT_TOKEN && env.SLACK_SIGNING_SECRET) {
    ports.slack = createSlackChat({
      token: env.SLACK_BOT_TOKEN,
      apiUrl: env.SLACK_API_URL,
      timeoutMs: env.SLACK_TIMEOUT_MS,
    });
  } else {
    log.info('Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to turn it on');
  }
  return ports;
}

/** Opens the database, Redis and the queue, and builds the chat ports the environment allows. */
export async function openRuntime(
  env: Env,
  log: Logger,
  quiet = false,
  teams: Teams | null = quiet ? null : teamsOf(env, log),
): Promise<Runtime> {
  const store = await openStore(env.MONGODB_URI);
  const redis = redisConnection(env.REDIS_URL, 'producer', (err) =>
    log.error({ err: err.message }, 'redis unreachable'),
  );
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    await closeStore(store);
    throw new UserError(`redis: cannot reach REDIS_URL (${(err as Error).message})`);
  }
  const jobs = new JobQueue(redis, env.RAPPORT_QUEUE_PREFIX);
  const chat = quiet ? {} : chatPorts(env, log, teams);
  const ctx: Context = { store, chat, jobs, log, now: () => new Date() };
  return {
    ctx,
    redis,
    async close() {
      await allBatchedWritesSettled(store);
      await jobs.close();
      redis.disconnect();
      await closeStore(store);
    },
  };
}

export interface Started {
  runtime: Runtime;
  server: Server;
  port: number;
  workers: Worker[];
  stop(): Promise<void>;
}

/**
 * Starts the bot: imports `RAPPORT_CONFIG` if set, serves HTTP (health, Slack), runs the job
 * workers unless `workers` is false, and keeps one pulse-planning scheduler per engagement.
 */
export async function startBot(
  env: Env,
  log: Logger,
  options = { workers: true },
): Promise<Started> {
  const teams = teamsOf(env, log);
  const runtime = await openRuntime(env, log, false, teams);
  const { ctx } = runtime;
  registerPlanActions();
  if (env.RAPPORT_CONFIG) {
    const summary = await importEngagements(
      ctx.store,
      await readEngagementFile(env.RAPPORT_CONFIG),
    );
    log.info({ summary, file: env.RAPPORT_CONFIG }, 'engagement file imported');
  }
  const app = express();
  app.disable('x-powered-by');
  app.use(healthRoutes(ctx.store, runtime.redis));
  if (env.SLACK_BOT_TOKEN && env.SLACK_SIGNING_SECRET) {
    createSlackApp({
      signingSecret: env.SLACK_SIGNING_SECRET,
      botToken: env.SLACK_BOT_TOKEN,
      expressApp: app,
      ctx,
    });
  }
  if (teams) mountTeams(app, teams, ctx);
  const workerRedis = redisConnection(env.REDIS_URL, 'worker', (err) =>
    log.error({ err: err.message }, 'redis unreachable (worker waits)'),
  );
  const workers = options.workers
    ? [
        startWorker({
          connection: workerRedis,
          prefix: env.RAPPORT_QUEUE_PREFIX,
          handlers: jobHandlers(ctx),
          log: log.child({ component: 'worker' }),
          lockDurationMs: env.RAPPORT_JOB_LOCK_MS,
          concurrency: env.RAPPORT_WORKER_CONCURRENCY,
        }),
      ]
    : [];
  const count = await syncSchedulers(ctx);
  await syncPlanSchedulers(ctx);
  const server = createServer(app);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(env.PORT, '0.0.0.0', resolve);
    });
  } catch (err) {
    await Promise.all(workers.map((w) => w.close()));
    workerRedis.disconnect();
    await runtime.close();
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`PORT: cannot listen on ${env.PORT} (${code ?? (err as Error).message})`);
  }
  const port = (server.address() as AddressInfo).port;
  log.info({ port, engagements: count, workers: workers.length }, 'rapport is running');
  return {
    runtime,
    server,
    port,
    workers,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(workers.map((w) => w.close()));
      workerRedis.disconnect();
      await runtime.close();
    },
  };
}
