import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Env } from '../../src/config/env.js';

const BIN = fileURLToPath(new URL('../../bin/rapport.js', import.meta.url));

export interface WorkerProcess {
  child: ChildProcess;
  logs: string[];
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** SIGKILL at once, as a crash would. */
  kill(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts `rapport worker` and waits until it logs that it is running; `nodeArgs` go to node
 * before the script (a benchmark's `--cpu-prof`).
 */
export function startWorkerProcess(
  env: Env,
  extra: Record<string, string> = {},
  nodeArgs: string[] = [],
) {
  const vars: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) vars[k] = String(v);
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'worker'], {
    env: { ...vars, LOG_LEVEL: 'info', ...extra },
  });
  const logs: string[] = [];
  return new Promise<WorkerProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A worker that never said it runs is ended, so it cannot linger after the test.
      child.kill('SIGKILL');
      reject(new Error(`worker did not start:\n${logs.join('\n')}`));
    }, 30_000);
    let buffer = '';
    child.stderr.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        logs.push(line);
        if (!line.includes('"rapport worker is running"')) continue;
        clearTimeout(timer);
        resolve({
          child,
          logs,
          async stop() {
            const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.kill('SIGTERM');
            await exited(child);
            clearTimeout(kill);
          },
          async kill() {
            child.kill('SIGKILL');
            await exited(child);
          },
        });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${logs.join('\n')}${buffer}`));
    });
  });
}
