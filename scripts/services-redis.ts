import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { Redis } from 'ioredis';

import {
  bindAddress,
  fileSize,
  findOnPath,
  isLoopback,
  lastLine,
  readFrom,
  reasonOf,
  run,
  ServiceError,
  START_TIMEOUT_MS,
  waitFor,
} from './services-process.js';

type RedisProbe = { ok: true; version: string } | { ok: false; reason: string };

/**
 * Makes Redis answer at `url`: leaves a running one alone, else starts Debian's redis-server
 * (installing it with apt-get if missing) when the address is local. Returns the line to print.
 */
export async function ensureRedis(
  url: string,
  cacheDir: string,
  progress: (note: string) => void,
): Promise<string> {
  const address = parseRedisUrl(url);
  const shown = `${address.protocol}//${address.hostPort}`;

  const found = await probeRedis(url);
  if (found.ok) return `redis: ${shown} (redis ${found.version}, already running)`;
  if (!isLoopback(address.host)) {
    throw new ServiceError(
      `redis: nothing answers at ${shown} (${found.reason}), and it is not a local address ` +
        `to start one on`,
    );
  }

  const server = await redisServer(progress);
  // Installing the package may have started the distribution's own service.
  const afterInstall = await probeRedis(url);
  if (afterInstall.ok) return `redis: ${shown} (redis ${afterInstall.version}, already running)`;

  const dir = path.join(cacheDir, 'redis');
  await mkdir(dir, { recursive: true });
  const logPath = path.join(cacheDir, 'redis.log');
  const logStart = await fileSize(logPath);
  // prettier-ignore
  const args = [
    '--port', String(address.port),
    '--bind', bindAddress(address.host),
    '--daemonize', 'yes',
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir,
    '--logfile', logPath,
    '--pidfile', path.join(dir, `redis-${address.port}.pid`),
  ];
  const result = await run(server, args, { timeoutMs: 30_000 });
  if (result.code !== 0) {
    throw new ServiceError(`redis: redis-server did not start: ${lastLine(result)}`);
  }

  // The daemonizing parent exits 0 before the server binds; a failure shows only in the log.
  let failure: string | undefined;
  const ready = await waitFor(async () => {
    const probe = await probeRedis(url);
    if (probe.ok) return probe;
    failure = redisFailure(await readFrom(logPath, logStart));
    return failure === undefined ? undefined : probe;
  }, START_TIMEOUT_MS);
  if (failure !== undefined) {
    throw new ServiceError(`redis: redis-server did not start: ${failure} (log: ${logPath})`);
  }
  if (ready?.ok !== true) {
    throw new ServiceError(
      `redis: redis-server started but ${shown} does not answer (log: ${logPath})`,
    );
  }
  return `redis: ${shown} (started redis-server ${ready.version})`;
}

/** The reason redis-server gave for stopping, if its log says it is aborting. */
function redisFailure(log: string): string | undefined {
  // Lines look like `14422:M 03 Dec 2026 15:57:40.365 # Warning: text`.
  const prefix = /^\d+:[A-Z] \d+ \w+ \d+ [\d:.]+ [#*.-] (Warning: )?/;
  const lines = log.split('\n').map((line) => line.replace(prefix, ''));
  if (!lines.some((line) => /abort|fatal/i.test(line))) return undefined;
  return lines.find((line) => /could not|error|fail/i.test(line))?.trim() ?? 'see its log';
}

function parseRedisUrl(url: string) {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ServiceError(`redis: REDIS_URL is not a URL: ${url}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ServiceError(`redis: REDIS_URL must start with redis:// or rediss://`);
  }
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const host = parsed.hostname;
  return { protocol: parsed.protocol, host, port, hostPort: `${host}:${port}` };
}

async function probeRedis(url: string): Promise<RedisProbe> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    commandTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    enableReadyCheck: false,
  });
  // connect() rejects with a bare "Connection is closed"; the error event says why.
  let cause: unknown;
  client.on('error', (error) => {
    cause = error;
  });
  try {
    await client.connect();
    await client.ping();
    const info = await client.info('server');
    const version = /^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown version';
    return { ok: true, version };
  } catch (error) {
    return { ok: false, reason: reasonOf(cause ?? error) };
  } finally {
    client.disconnect();
  }
}

async function redisServer(progress: (note: string) => void): Promise<string> {
  const existing = await findOnPath('redis-server');
  if (existing !== undefined) return existing;

  if (process.getuid?.() !== 0) {
    throw new ServiceError(
      'redis: redis-server is not installed; run: sudo apt-get install -y redis-server',
    );
  }
  const aptGet = await findOnPath('apt-get');
  if (aptGet === undefined) {
    throw new ServiceError('redis: redis-server is not installed and there is no apt-get');
  }

  progress('redis: installing redis-server with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = ['install', '-y', '--no-install-recommends', 'redis-server'];
  let result = await run(aptGet, install, { env });
  if (result.code !== 0) {
    const update = await run(aptGet, ['update'], { env });
    if (update.code !== 0) {
      throw new ServiceError(`redis: apt-get update failed: ${lastLine(update)}`);
    }
    result = await run(aptGet, install, { env });
  }
  if (result.code !== 0) {
    throw new ServiceError(`redis: apt-get install redis-server failed: ${lastLine(result)}`);
  }
  const installed = await findOnPath('redis-server');
  if (installed === undefined) {
    throw new ServiceError('redis: apt-get installed redis-server, but it is not on the PATH');
  }
  return installed;
}
