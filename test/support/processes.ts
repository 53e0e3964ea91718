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

/** Starts `rapport start` and waits until it logs that it is running. */
export function startBotProcess(
  env: Env,
  extra: Record<string, string> = {},
  args: string[] = [],
): Promise<BotProcess> {
  const child = spawn(process.execPath, [BIN, 'start', ...args], {
    env: envVars(env, { LOG_LEVEL: 'info', ...extra }),
  });
  const logs: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`bot did not start:\n${logs.join('\n')}`)),
      30_000,
    );
    let buffer = '';
    child.stderr.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        logs.push(line);
        const entry = parseJson(line);
        if (entry?.msg === 'rapport is running' && typeof entry.port === 'number') {
          clearTimeout(timer);
          const port = entry.port;
          resolve({
            port,
            url: `http://127.0.0.1:${port}`,
            child,
            logs,
            stop: () => stopChild(child),
          });
        }
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bot exited with ${code}:\n${logs.join('\n')}${buffer}`));
    });
  });
}

function parseJson(line: string): Record<string, unknown> | null {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
