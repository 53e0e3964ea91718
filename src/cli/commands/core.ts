import { syncPlanSchedulers } from '../../../jobs/plan-schedulers.js';
import { syncSchedulers } from '../../../jobs/schedulers.js';
import type { Command } from 'commander';
import { openRuntime, startBot, type Runtime } from '../../app.js';
import { readEngagementFile } from '../../config/engagement-file.js';
import type { Env } from '../../config/env.js';
import { UserError } from '../../errors.js';
import { createLogger } from '../../logger.js';
import { importEngagements } from '../../services/engagement-import.js';
import { sendPulseNow } from '../../services/pulses.js';

/** Runs `work` with a runtime that sends no chat messages itself, then closes it. */
export async function withRuntime<T>(env: Env, work: (rt: Runtime) => Promise<T>): Promise<T> {
  const log = createLogger(env.LOG_LEVEL === 'info' ? 'warn' : env.LOG_LEVEL);
  const runtime = await openRuntime(env, log, true);
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}

/** `start`, `import` and `pulse send`. */
export function registerCoreCommands(cli: Command, env: () => Env): void {
  cli
    .command('start')
    .description('run the bot: HTTP server, job workers and schedulers')
    .option('--no-workers', 'serve HTTP only; run workers elsewhere with `rapport worker`')
    .action(async (opts: { workers: boolean }) => {
      const e = env();
      const log = createLogger(e.LOG_LEVEL);
      const bot = await startBot(e, log, { workers: opts.workers });
      const stop = () => {
        log.info('stopping');
        bot.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  cli
    .command('import')
    .argument('<file>', 'engagement file (YAML)')
    .description('create or update engagements and people from an engagement file')
    .action(async (file: string) => {
      const parsed = await readEngagementFile(file);
      const summary = await withRuntime(env(), async (rt) => {
        const result = await importEngagements(rt.ctx.store, parsed);
        // A running bot picks these up: new engagements get their planners without a restart.
        await syncSchedulers(rt.ctx);
        await syncPlanSchedulers(rt.ctx);
        return result;
      });
      const { engagements: e, people: p } = summary;
      console.log(
        `engagements: ${e.created} created, ${e.updated} updated, ${e.unchanged} unchanged; ` +
          `people: ${p.created} created, ${p.updated} updated, ${p.unchanged} unchanged, ` +
          `${p.deactivated} deactivated`,
      );
    });

  const pulse = cli.command('pulse').description('pulses');
  pulse
    .command('send')
    .argument('<engagement>', 'engagement id')
    .description("start today's pulse now; a running bot delivers it")
    .action(async (engagementId: string) => {
      const result = await withRuntime(env(), (rt) => sendPulseNow(rt.ctx, engagementId));
      if (result.kind === 'unknown-engagement') {
        throw new UserError(`engagement: no engagement "${engagementId}"`);
      }
      if (result.kind === 'paused') throw new UserError(`engagement: "${engagementId}" is paused`);
      const verb = result.kind === 'started' ? 'started' : 'already started today';
      console.log(`pulse ${result.pulseId} ${verb}: ${result.deliveries} deliveries queued`);
    });
}
