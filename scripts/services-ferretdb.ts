import { spawn } from 'node:child_process';
import {
  appendFile,
  chmod,
  cp,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  rename,
  rm,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';

import { patchFerretdb } from './ferretdb-patches.js';
import {
  findOnPath,
  isAlive,
  isExecutable,
  lastLine,
  readFrom,
  run,
  ServiceError,
  START_TIMEOUT_MS,
  waitFor,
  withLock,
  type RunResult,
} from './services-process.js';

/** The FerretDB release the project is tested against. */
export const FERRETDB_VERSION = '1.24.2';

/**
 * The name of this project's build of it: the release plus the patches in ferretdb-patches.ts.
 * A new name makes machines that built an older binary build again, and makes
 * {@link stopOutdatedFerretdb} replace a server still running one.
 */
export const FERRETDB_BUILD = `${FERRETDB_VERSION}-idx3`;

const MODULE = 'github.com/FerretDB/FerretDB';
const MINIMUM_GO = [1, 24] as const;
const FALLBACK_GO = '/usr/local/go/bin/go';

/**
 * Returns the path of a FerretDB binary in `cacheDir`, building it first if there is none.
 * The build runs in a scratch Go module under `cacheDir`, under a lock so that concurrent runs
 * build it once, and the binary is renamed into place only when complete.
 */
export async function ferretdbBinary(
  cacheDir: string,
  progress: (note: string) => void,
): Promise<string> {
  const target = path.join(cacheDir, 'bin', `ferretdb-${FERRETDB_BUILD}`);
  if (await isExecutable(target)) return target;

  await mkdir(path.dirname(target), { recursive: true });
  const lockPath = path.join(cacheDir, 'ferretdb-build.lock');
  const onWait = (pid: number) => progress(`mongodb: waiting for FerretDB build by pid ${pid}`);

  return withLock(
    lockPath,
    async () => {
      if (await isExecutable(target)) return target;

      const logPath = path.join(cacheDir, 'ferretdb-build.log');
      progress(`mongodb: building FerretDB ${FERRETDB_VERSION} once into ${target} (~2 min)`);
      const started = Date.now();
      await buildInto(cacheDir, target, logPath);
      const seconds = Math.round((Date.now() - started) / 1000);
      progress(`mongodb: built FerretDB ${FERRETDB_VERSION} in ${seconds} s`);
      return target;
    },
    { onWait },
  );
}

async function buildInto(cacheDir: string, target: string, logPath: string): Promise<void> {
  const go = (await findOnPath('go')) ?? ((await isExecutable(FALLBACK_GO)) ? FALLBACK_GO : '');
  if (go === '') {
    throw new ServiceError(
      `mongodb: no mongod and no Go toolchain to build FerretDB; install mongod or Go ` +
        `>= ${MINIMUM_GO.join('.')}`,
    );
  }

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GOTOOLCHAIN: 'local',
    GOFLAGS: '-buildvcs=false',
    GOWORK: 'off',
    GO111MODULE: 'on',
    CGO_ENABLED: '0',
  };
  await writeFile(logPath, `FerretDB ${FERRETDB_VERSION} build, ${new Date().toISOString()}\n`);
  const work = await mkdtemp(path.join(cacheDir, 'ferretdb-build-'));

  const step = async (args: string[]): Promise<string> => {
    const result = await run(go, args, { cwd: work, env });
    await appendLog(logPath, `go ${args.join(' ')}`, result);
    if (result.code !== 0) {
      throw new ServiceError(
        `mongodb: FerretDB build failed at "go ${args[0]} ${args[1] ?? ''}": ` +
          `${lastLine(result)} (log: ${logPath})`,
      );
    }
    return result.stdout;
  };

  try {
    checkGoVersion(await step(['env', 'GOVERSION']));
    await step(['mod', 'init', 'scratch']);
    await step(['get', `${MODULE}/cmd/ferretdb@v${FERRETDB_VERSION}`]);
    const download = JSON.parse(
      await step(['mod', 'download', '-json', `${MODULE}@v${FERRETDB_VERSION}`]),
    ) as { Dir?: string };
    if (download.Dir === undefined) {
      throw new ServiceError(`mongodb: go mod download named no module folder (log: ${logPath})`);
    }

    // The module as published lacks the generated version.txt, and the binary panics at start
    // without it; a writable copy with the file added replaces the module.
    const source = path.join(work, 'ferretdb-src');
    await cp(download.Dir, source, { recursive: true });
    await makeWritable(source);
    await writeFile(path.join(source, 'build', 'version', 'version.txt'), `v${FERRETDB_VERSION}\n`);
    await patchFerretdb(source, FERRETDB_VERSION);
    await step(['mod', 'edit', `-replace=${MODULE}=./ferretdb-src`]);

    // Newer linkers refuse FerretDB's old //go:linkname uses unless told not to check.
    await step(['build', '-ldflags=-checklinkname=0', '-o', 'ferretdb', `${MODULE}/cmd/ferretdb`]);

    const built = path.join(work, 'ferretdb');
    const check = await run(built, ['--version'], { timeoutMs: 30_000 });
    await appendLog(logPath, 'ferretdb --version', check);
    if (check.code !== 0) {
      throw new ServiceError(`mongodb: the built FerretDB does not start (log: ${logPath})`);
    }
    await rename(built, target);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function checkGoVersion(goVersion: string): void {
  const match = /go(\d+)\.(\d+)/.exec(goVersion);
  const major = Number(match?.[1] ?? 0);
  const minor = Number(match?.[2] ?? 0);
  const [needMajor, needMinor] = MINIMUM_GO;
  if (major < needMajor || (major === needMajor && minor < needMinor)) {
    throw new ServiceError(
      `mongodb: FerretDB ${FERRETDB_VERSION} needs Go >= ${needMajor}.${needMinor} to build, ` +
        `found ${goVersion.trim() || 'an unknown version'}`,
    );
  }
}

async function appendLog(logPath: string, title: string, result: RunResult): Promise<void> {
  const output = `${result.stdout}${result.stderr}[exit ${result.code}]`;
  await appendFile(logPath, `\n$ ${title}\n${output}\n`);
}

/** Files in the Go module cache are read-only; the copy needs to be edited and later removed. */
async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await makeWritable(full);
    else if (entry.isFile()) await chmod(full, 0o644);
  }
}

/**
 * Stops the FerretDB these scripts started at `listen` when it runs an older build than
 * {@link FERRETDB_BUILD} or with other options, so that the caller starts the current one on
 * the same data. A server started any other way, or whose command line cannot be read (no
 * /proc), is left alone. Returns the line to print when it stopped one.
 */
export async function stopOutdatedFerretdb(
  cacheDir: string,
  listen: ListenAddress,
): Promise<string | undefined> {
  const pidPath = path.join(cacheDir, `ferretdb-${listen.port}.pid`);
  const pid = Number((await readFile(pidPath, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;

  // The command line also guards against the pid having been reused by another program.
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const [binary = '', ...args] = cmdline.replace(/\0$/, '').split('\0');
  const bin = path.join(cacheDir, 'bin');
  const current = path.join(bin, `ferretdb-${FERRETDB_BUILD}`);
  if (!binary.startsWith(`${bin}${path.sep}ferretdb-`)) return undefined;
  const wanted = ferretdbArgs(cacheDir, listen);
  if (binary === current && args.join('\0') === wanted.join('\0')) return undefined;

  process.kill(pid, 'SIGTERM');
  const gone = await waitFor(
    () => Promise.resolve(isAlive(pid) ? undefined : true),
    START_TIMEOUT_MS,
    100,
  );
  if (gone === undefined) {
    throw new ServiceError(`mongodb: FerretDB pid ${pid} (an older build) does not stop`);
  }
  await rm(pidPath, { force: true });
  const what = binary === current ? 'older options' : path.basename(binary);
  return `mongodb: stopped FerretDB pid ${pid} (${what}) to run ${FERRETDB_BUILD}`;
}

/**
 * FerretDB's options for `listen`. SQLite runs in WAL mode with `synchronous=NORMAL`: a commit
 * no longer waits for the disk, so a crash of FerretDB or of Rapport loses nothing, and a power
 * loss or an operating-system crash may lose the last commits, as a standalone MongoDB may lose
 * writes it acknowledged before its next journal flush (100 ms). `FULL` doubled the cost of
 * each small update.
 */
function ferretdbArgs(cacheDir: string, listen: ListenAddress): string[] {
  const dataDir = path.join(cacheDir, 'ferretdb-data', String(listen.port));
  const address = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return [
    '--handler=sqlite',
    `--sqlite-url=file:${dataDir}/?_pragma=synchronous(normal)`,
    `--listen-addr=${address}:${listen.port}`,
    '--debug-addr=-',
    '--telemetry=disable',
    `--state-dir=${dataDir}`,
  ];
}

/** Where a FerretDB instance listens. `host` is a literal address, without brackets. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** A FerretDB started by {@link spawnFerretdb}. */
export interface FerretdbProcess {
  pid: number;
  /** Whether the process has exited (or failed to start). */
  exited: () => boolean;
  /** The last error FerretDB logged since it was started, for a one-line message. */
  failure: () => Promise<string>;
  logPath: string;
  pidPath: string;
}

/**
 * Starts FerretDB (SQLite backend) detached from this process, so it outlives the script.
 * Data, process state, log and pid file live in `cacheDir`, kept apart per port.
 * Returns the child's pid, whether it has exited yet, and the error it logged this time.
 */
export async function spawnFerretdb(
  binary: string,
  cacheDir: string,
  listen: ListenAddress,
): Promise<FerretdbProcess> {
  const dataDir = path.join(cacheDir, 'ferretdb-data', String(listen.port));
  await mkdir(dataDir, { recursive: true });
  const logPath = path.join(cacheDir, `ferretdb-${listen.port}.log`);
  const pidPath = path.join(cacheDir, `ferretdb-${listen.port}.pid`);

  const log = await open(logPath, 'a');
  const logStart = (await log.stat()).size;
  let exited = false;
  try {
    const child = spawn(binary, ferretdbArgs(cacheDir, listen), {
      cwd: cacheDir,
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
    });
    child.on('error', () => {
      exited = true;
    });
    child.on('exit', () => {
      exited = true;
    });
    child.unref();
    if (child.pid === undefined) {
      throw new ServiceError(`mongodb: could not start ${binary}`);
    }
    const failure = () => lastErrorInLog(logPath, logStart);
    return { pid: child.pid, exited: () => exited, failure, logPath, pidPath };
  } finally {
    await log.close();
  }
}

/** FerretDB logs `LEVEL file:line message {"error":"[frames] text"}`; this keeps the text. */
async function lastErrorInLog(logPath: string, from: number): Promise<string> {
  const text = await readFrom(logPath, from);
  const lines = text.split('\n').filter((line) => /\b(ERROR|FATAL|panic)/.test(line));
  const line = lines.at(-1);
  if (line === undefined) return 'no error logged';
  const quoted = /"error":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1];
  const message = quoted?.replace(/^(\[[^\]]*\] )+/, '') ?? line.trim();
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}
