import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';

/** An expected failure of the services script. Its message is one line meant for a person. */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** What a finished program left behind. `code` is -1 when it was killed (e.g. on timeout). */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for {@link run}. */
export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the program after this many milliseconds. Default 600 000 (10 minutes). */
  timeoutMs?: number;
}

/**
 * Runs a program without a shell and collects its output. A non-zero exit is reported in the
 * result rather than thrown; only a program that cannot be started at all rejects.
 */
export function run(file: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 600_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ code: 0, stdout, stderr });
          return;
        }
        // A string code (ENOENT, EACCES) means the program never ran.
        if (typeof error.code === 'string') {
          reject(new Error(error.message, { cause: error }));
          return;
        }
        resolve({ code: typeof error.code === 'number' ? error.code : -1, stdout, stderr });
      },
    );
  });
}

/** The last non-empty line of a program's output, to quote in a one-line error. */
export function lastLine(result: RunResult): string {
  const lines = `${result.stdout}\n${result.stderr}`.split('\n').map((line) => line.trim());
  return lines.filter((line) => line !== '').at(-1) ?? `exit status ${result.code}`;
}

/** Whether `file` exists and may be executed by this process. */
export async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The first executable called `name` in the PATH directories, or undefined. */
export async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Whether a process with this id exists (and may be signalled by us or is someone else's). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Size of a file in bytes, 0 if it does not exist; remember it before a server appends. */
export async function fileSize(file: string): Promise<number> {
  return (await stat(file).catch(() => undefined))?.size ?? 0;
}

/** What was appended to a text file after byte `offset`; empty if it does not exist. */
export async function readFrom(file: string, offset: number): Promise<string> {
  const bytes = await readFile(file).catch(() => Buffer.alloc(0));
  return bytes.subarray(offset).toString('utf8');
}

/** How long a freshly started server may take to answer, in milliseconds. */
export const START_TIMEOUT_MS = 30_000;

/** Whether a host name or literal address is this machine's loopback interface. */
export function isLoopback(host: string): boolean {
  const bare = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

/** The address to listen on for a loopback host: `localhost` becomes 127.0.0.1. */
export function bindAddress(host: string): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return bare.toLowerCase() === 'localhost' ? '127.0.0.1' : bare;
}

/** The first line of an error's message, to quote as a reason. */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls `attempt` every `intervalMs` until it returns a value or `timeoutMs` has passed.
 * Resolves with that value, or with undefined on timeout.
 */
export async function waitFor<T>(
  attempt: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 300,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) return undefined;
    await sleep(intervalMs);
  }
}

/** Options for {@link withLock}. */
export interface LockOptions {
  /** A lock older than this is taken to be left over by a crash. Default 30 minutes. */
  staleMs?: number;
  /** Give up waiting for another holder after this long. Default 15 minutes. */
  waitMs?: number;
  /** Called once when the lock is held by another live process. */
  onWait?: (holderPid: number) => void;
}

interface LockOwner {
  pid: number;
  host: string;
}

/**
 * Runs `task` while holding an exclusive lock file at `lockPath`, created with O_EXCL so that
 * concurrent runs on one machine take turns. A lock whose process has died, or which is older
 * than `staleMs`, is removed.
 */
export async function withLock<T>(
  lockPath: string,
  task: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const staleMs = options.staleMs ?? 30 * 60_000;
  const deadline = Date.now() + (options.waitMs ?? 15 * 60_000);
  let announced = false;

  for (;;) {
    const acquired = await tryCreateLock(lockPath);
    if (acquired) break;

    const holder = await readLock(lockPath);
    if (holder === undefined) continue;
    if (holder.stale(staleMs)) {
      // Re-read just before removing, so a lock taken meanwhile by someone else survives.
      const again = await readLock(lockPath);
      if (again?.text === holder.text) await rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new ServiceError(`timed out waiting for ${lockPath} (held by pid ${holder.owner.pid})`);
    }
    if (!announced) options.onWait?.(holder.owner.pid);
    announced = true;
    await sleep(1000);
  }

  try {
    return await task();
  } finally {
    await rm(lockPath, { force: true });
  }
}

async function tryCreateLock(lockPath: string): Promise<boolean> {
  try {
    const handle = await open(lockPath, 'wx');
    const owner: LockOwner = { pid: process.pid, host: hostname() };
    await handle.writeFile(JSON.stringify(owner));
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function readLock(lockPath: string) {
  try {
    const [text, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    let owner: LockOwner = { pid: 0, host: '' };
    try {
      owner = JSON.parse(text) as LockOwner;
    } catch {
      // A holder that has created the file but not yet written it; judged by age alone.
    }
    const stale = (staleMs: number) =>
      Date.now() - info.mtimeMs > staleMs ||
      (owner.host === hostname() && owner.pid > 0 && !isAlive(owner.pid));
    return { text, owner, stale };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
