import type { Logger } from 'pino';
import type { ChatPorts } from '../../adapters/chat-port.js';
import { openRuntime, type Runtime } from '../../src/app.js';
import { parseEngagementFile } from '../../src/config/engagement-file.js';
import type { Env } from '../../src/config/env.js';
import { createLogger } from '../../src/logger.js';
import { importEngagements } from '../../src/services/engagement-import.js';
import { allBatchedWritesSettled } from '../../src/store/batched-writes.js';
import { isolatedEnv } from './test-env.js';

/** A runtime on a database and queue prefix of its own, with a clock the test sets. */
export interface TestRuntime extends Runtime {
  env: Env;
  log: Logger;
  clock: { now: Date };
  importYaml(yaml: string): Promise<void>;
  /** Drops the test's database and queue keys and closes the connections. */
  dispose(): Promise<void>;
}

export async function testRuntime(
  options: { chat?: ChatPorts; env?: Record<string, string>; now?: Date } = {},
): Promise<TestRuntime> {
  const env = isolatedEnv(options.env);
  const log = createLogger(env.LOG_LEVEL);
  const runtime = await openRuntime(env, log, true);
  const clock = { now: options.now ?? new Date() };
  runtime.ctx.now = () => clock.now;
  runtime.ctx.chat = options.chat ?? {};
  return {
    ...runtime,
    env,
    log,
    clock,
    async importYaml(yaml: string) {
      await importEngagements(runtime.ctx.store, parseEngagementFile(yaml));
    },
    async dispose() {
      await allBatchedWritesSettled(runtime.ctx.store);
      await runtime.ctx.jobs.queue.obliterate({ force: true });
      // Send claims and asked histories live beside the queue, under the same prefix.
      const redis = runtime.ctx.jobs.connection;
      const keys = await redis.keys(`${runtime.ctx.jobs.prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await runtime.ctx.store.connection.dropDatabase();
      await runtime.close();
    },
  };
}
