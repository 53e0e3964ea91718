import { homedir } from 'node:os';
import path from 'node:path';

import { ensureMongo, type MongoServerKind } from './services-mongo.js';
import { ensureRedis } from './services-redis.js';

export type { MongoServerKind } from './services-mongo.js';
export { isLoopback, ServiceError } from './services-process.js';

/** Default Redis address, as in the design's environment table. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** Default MongoDB address, as in the design's environment table. */
export const DEFAULT_MONGODB_URI = 'mongodb://127.0.0.1:27017/rapport';

/** The services that now answer. */
export interface Services {
  /** REDIS_URL, or its default. */
  redisUrl: string;
  /** MONGODB_URI, or its default. */
  mongoUrl: string;
  mongoServer: MongoServerKind;
  /** One line per service saying where it listens and whether it was started. */
  lines: string[];
}

/** Options for {@link ensureServices}. */
export interface EnsureOptions {
  /** Environment to read REDIS_URL, MONGODB_URI and the cache folder from. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Told about slow steps: package installs, the FerretDB build. Default: silent. */
  progress?: (note: string) => void;
}

/**
 * Makes Redis and a MongoDB-compatible server answer at REDIS_URL and MONGODB_URI. A service
 * that already answers is left alone; one that does not is started only if its address is on
 * this machine: Redis from Debian's redis-server (installed with apt-get if missing), MongoDB as
 * `mongod` if one is on the PATH, else FerretDB with SQLite, built once per machine. Started
 * servers keep running after the caller exits. Safe to call again, and from concurrent runs.
 *
 * @throws ServiceError with a one-line message when a service cannot be made to answer.
 */
export async function ensureServices(options: EnsureOptions = {}): Promise<Services> {
  const env = options.env ?? process.env;
  const progress = options.progress ?? (() => undefined);
  const redisUrl = env.REDIS_URL || DEFAULT_REDIS_URL;
  const mongoUrl = env.MONGODB_URI || DEFAULT_MONGODB_URI;
  const cacheDir = rapportCacheDir(env);

  const redisLine = await ensureRedis(redisUrl, cacheDir, progress);
  const mongo = await ensureMongo(mongoUrl, cacheDir, progress);
  return { redisUrl, mongoUrl, mongoServer: mongo.kind, lines: [redisLine, mongo.line] };
}

/**
 * The folder outside the checkout for built binaries, data and logs: RAPPORT_CACHE_DIR, else
 * $XDG_CACHE_HOME/rapport, else ~/.cache/rapport.
 */
export function rapportCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.RAPPORT_CACHE_DIR) return path.resolve(env.RAPPORT_CACHE_DIR);
  const base = env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.resolve(base, 'rapport');
}
