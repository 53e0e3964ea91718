import { randomBytes } from 'node:crypto';
import { loadEnv, type Env } from '../../src/config/env.js';

/** Where the services of this run listen; the global setup started them. */
export function serviceUrls(): { mongo: string; redis: string } {
  return {
    mongo: process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/rapport',
    redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
}

/** A database URI and queue prefix of one test's own, so tests never see each other's data. */
export function isolatedEnv(overrides: Record<string, string> = {}): Env {
  const id = randomBytes(5).toString('hex');
  const base = new URL(serviceUrls().mongo);
  base.pathname = `/rapport_test_${id}`;
  return loadEnv({
    NODE_ENV: 'test',
    MONGODB_URI: base.toString(),
    REDIS_URL: serviceUrls().redis,
    RAPPORT_QUEUE_PREFIX: `t${id}`,
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...overrides,
  });
}
