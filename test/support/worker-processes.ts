import type { ChildProcess } from 'node:child_process';
import type { Env } from '../../src/config/env.js';
import { spawnRapport, stopChild, untilLogged } from './processes.js';

export interface WorkerProcess {
  child: ChildProcess;
  logs: string[];
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** SIGKILL at once, as a crash would. */
  kill(): Promise<void>;
}

/**
 * Starts `rapport worker` and waits until it logs that it is running; `nodeArgs` go to node
 * before the script (a benchmark's `--cpu-prof`).
 */
export async function startWorkerProcess(
  env: Env,
  extra: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<WorkerProcess> {
  const child = spawnRapport(env, ['worker'], extra, nodeArgs);
  const logs: string[] = [];
  await untilLogged(child, 'worker', logs, (e) =>
    e.msg === 'rapport worker is running' ? true : undefined,
  );
  return {
    child,
    logs,
    stop: () => stopChild(child),
    async kill() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await exited;
    },
  };
}
