import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Env } from '../../src/config/env.js';

const BIN = fileURLToPath(new URL('../../bin/rapport.js', import.meta.url));

function envVars(env: Env, extra: Record<string, string>): NodeJS.ProcessEnv {
  const vars: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) vars[k] = String(v);
  return { ...vars, ...extra };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `rapport ARGS` as its own process, as a person at a terminal would. */
export function runCli(env: Env, args: string[], extra: Record<string, string> = {}) {
  return new Promise<CliResult>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: envVars(env, extra) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface BotProcess {
  port: number;
  url: string;
  child: ChildProcess;
  logs: string[];
  stop(): Promise<void>;
}

/** Spawns `node [nodeArgs] bin/rapport.js ARGS` with the runtime's variables and `extra`. */
export function spawnRapport(
  env: Env,
  args: string[],
  extra: Record<string, string> = {},
  nodeArgs: string[] = [],
): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, BIN, ...args], {
    env: envVars(env, { LOG_LEVEL: 'info', ...extra }),
  });
}

/**
 * Collects a spawned process's log lines (stderr) into `logs` and resolves with the first
 * value `match` finds in a JSON log line. Rejects if the process exits first, or after 30 s,
 * when the process is killed so it cannot linger after the test.
 */
export function untilLogged<T>(
  child: ChildProcess,
  what: string,
  logs: string[],
  match: (entry: Record<string, unknown>) => T | undefined,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not start:\n${logs.join('\n')}`));
    }, 30_000);
    let buffer = '';
    child.stderr?.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        logs.push(line);
        const entry = parseJson(line);
        const value = entry ? match(entry) : undefined;
        if (value === undefined) continue;
        clearTimeout(timer);
        resolve(value);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${logs.join('\n')}${buffer}`));
    });
  });
}

/** Starts `rapport start` and waits until it logs that it is running. */
export async function startBotProcess(
  env: Env,
  extra: Record<string, string> = {},
  args: string[] = [],
): Promise<BotProcess> {
  const child = spawnRapport(env, ['start', ...args], extra);
  const logs: string[] = [];
  const port = await untilLogged(child, 'bot', logs, (e) =>
    e.msg === 'rapport is running' && typeof e.port === 'number' ? e.port : undefined,
  );
  return { port, url: `http://127.0.0.1:${port}`, child, logs, stop: () => stopChild(child) };
}

function parseJson(line: string): Record<string, unknown> | null {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** SIGTERM, then SIGKILL after 10 s; resolves when the process has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
