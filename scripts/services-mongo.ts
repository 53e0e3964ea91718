import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { MongoClient } from 'mongodb';

import {
  ferretdbBinary,
  spawnFerretdb,
  stopOutdatedFerretdb,
  type ListenAddress,
} from './services-ferretdb.js';
import {
  bindAddress,
  findOnPath,
  isAlive,
  isLoopback,
  lastLine,
  reasonOf,
  run,
  ServiceError,
  sleep,
  START_TIMEOUT_MS,
} from './services-process.js';

/**
 * What kind of MongoDB-compatible server answers: `ferretdb` when it says it is FerretDB
 * (whoever started it), `mongod` for MongoDB on this machine, `external` for MongoDB elsewhere
 * (another host, a container, a cloud cluster).
 */
export type MongoServerKind = 'mongod' | 'ferretdb' | 'external';

type MongoProbe = { ok: true; version: string; ferretdb: boolean } | { ok: false; reason: string };

/**
 * Makes a MongoDB-compatible server answer at `uri`: leaves a running one alone, else, when
 * the address is local, starts `mongod` from the PATH or FerretDB (built on first use).
 * Returns what kind of server answers and the line to print.
 */
export async function ensureMongo(
  uri: string,
  cacheDir: string,
  progress: (note: string) => void,
): Promise<{ kind: MongoServerKind; line: string }> {
  const hosts = parseMongoHosts(uri);
  const shown = hosts === undefined ? uri.replace(/\/\/[^@/]*@/, '//') : `mongodb://${hosts.text}`;
  const local = hosts?.list.length === 1 && hosts.list.every((host) => isLoopback(host.host));
  const kindOf = (probe: { ferretdb: boolean }): MongoServerKind =>
    probe.ferretdb ? 'ferretdb' : local ? 'mongod' : 'external';

  const listen = hosts?.list[0];
  let found = await probeMongo(uri);
  if (found.ok && found.ferretdb && local && listen !== undefined) {
    const bound = { host: bindAddress(listen.host), port: listen.port };
    const stopped = await stopOutdatedFerretdb(cacheDir, bound);
    if (stopped !== undefined) {
      progress(stopped);
      found = await probeMongo(uri);
    }
  }
  if (found.ok) {
    return { kind: kindOf(found), line: `mongodb: ${shown} (${label(found)}, already running)` };
  }
  if (!local || listen === undefined) {
    throw new ServiceError(
      `mongodb: nothing answers at ${shown} (${found.reason}), and it is not a single local ` +
        `address to start a server on`,
    );
  }

  const bound: ListenAddress = { host: bindAddress(listen.host), port: listen.port };
  const mongod = await findOnPath('mongod');
  const ready =
    mongod !== undefined
      ? await startMongod(mongod, uri, cacheDir, bound)
      : await startFerretdb(uri, cacheDir, bound, progress);
  const line = ready.started
    ? `mongodb: ${shown} (started ${label(ready)})`
    : `mongodb: ${shown} (${label(ready)}, started meanwhile by another run)`;
  return { kind: kindOf(ready), line };
}

function label(probe: { version: string; ferretdb: boolean }): string {
  return `${probe.ferretdb ? 'FerretDB' : 'MongoDB'} ${probe.version}`;
}

/** Host list of a mongodb:// URI; undefined for mongodb+srv:// (resolved through DNS). */
function parseMongoHosts(uri: string) {
  if (uri.startsWith('mongodb+srv://')) return undefined;
  const match = /^mongodb:\/\/(?:[^@/]*@)?([^/?]+)/.exec(uri);
  if (match?.[1] === undefined) {
    throw new ServiceError('mongodb: MONGODB_URI must start with mongodb:// or mongodb+srv://');
  }
  const list = match[1].split(',').map((entry) => {
    const parts = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry);
    if (parts?.[1] === undefined) {
      throw new ServiceError(`mongodb: bad host in MONGODB_URI: ${entry}`);
    }
    return { host: parts[1].replace(/^\[(.*)\]$/, '$1'), port: Number(parts[2] ?? 27017) };
  });
  return { list, text: match[1] };
}

async function probeMongo(uri: string): Promise<MongoProbe> {
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: 1500,
    connectTimeoutMS: 1500,
    appName: 'rapport-services',
  });
  try {
    await client.connect();
    const admin = client.db('admin');
    await admin.command({ ping: 1 });
    const info = await admin.command({ buildInfo: 1 });
    if (typeof info.ferretdbVersion === 'string') {
      return { ok: true, version: info.ferretdbVersion.replace(/^v/, ''), ferretdb: true };
    }
    return { ok: true, version: String(info.version ?? 'unknown version'), ferretdb: false };
  } catch (error) {
    return { ok: false, reason: reasonOf(error) };
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function startMongod(mongod: string, uri: string, cacheDir: string, listen: ListenAddress) {
  const dbPath = path.join(cacheDir, 'mongod-data', String(listen.port));
  await mkdir(dbPath, { recursive: true });
  const logPath = path.join(cacheDir, `mongod-${listen.port}.log`);
  // prettier-ignore
  const args = [
    '--fork',
    '--port', String(listen.port),
    '--bind_ip', listen.host,
    '--dbpath', dbPath,
    '--logpath', logPath,
    '--logappend',
    '--pidfilepath', path.join(cacheDir, `mongod-${listen.port}.pid`),
  ];
  // With --fork the parent returns once the server accepts connections.
  const result = await run(mongod, args, { timeoutMs: START_TIMEOUT_MS * 2 });
  if (result.code !== 0) {
    throw new ServiceError(`mongodb: mongod did not start: ${lastLine(result)} (log: ${logPath})`);
  }
  const ready = await waitForMongo(uri, () => false);
  if (ready === undefined) {
    throw new ServiceError(`mongodb: mongod started but does not answer (log: ${logPath})`);
  }
  return { ...ready, started: true };
}

async function startFerretdb(
  uri: string,
  cacheDir: string,
  listen: ListenAddress,
  progress: (note: string) => void,
) {
  const binary = await ferretdbBinary(cacheDir, progress);
  const child = await spawnFerretdb(binary, cacheDir, listen);
  const ready = await waitForMongo(uri, child.exited);
  if (ready === undefined) {
    const why = child.exited() ? `exited: ${await child.failure()}` : 'does not answer';
    throw new ServiceError(`mongodb: FerretDB ${why} (log: ${child.logPath})`);
  }
  // A concurrent run may have won the race for the port, and then ours has exited.
  await sleep(200);
  const ours = !child.exited() && isAlive(child.pid);
  if (ours) await writeFile(child.pidPath, `${child.pid}\n`);
  return { ...ready, started: ours };
}

/** Polls until the server answers; gives up early once `exited` and the port is still dead. */
async function waitForMongo(uri: string, exited: () => boolean) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const wasExited = exited();
    const probe = await probeMongo(uri);
    if (probe.ok) return probe;
    if (wasExited || Date.now() >= deadline) return undefined;
    await sleep(300);
  }
}
