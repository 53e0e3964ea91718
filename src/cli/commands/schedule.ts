import { TZDate } from '@date-fns/tz';
import type { Command } from 'commander';
import { format } from 'date-fns';
import type { Env } from '../../config/env.js';
import { UserError } from '../../errors.js';
import { createLogger } from '../../logger.js';
import { setEngagementPaused } from '../../services/pause.js';
import { scheduleOf, type Schedule } from '../../services/schedule.js';
import { startWorkerProcess } from '../../worker-process.js';
import { isoTime } from '../time-option.js';
import { withRuntime } from './core.js';

function scheduleText(s: Schedule): string {
  const lines = [`${s.engagement}: deliveries after ${s.from.toISOString()}`];
  for (const p of s.people) {
    const until =
      p.status === 'paused' && p.next.length > 0 && p.pausedUntil
        ? ` until ${p.pausedUntil.toISOString()}`
        : '';
    lines.push(`${p.id}  ${p.timezone}  ${p.status}${until}`);
    for (const t of p.next) {
      const local = format(new TZDate(t.getTime(), p.timezone), 'EEE yyyy-MM-dd HH:mm');
      lines.push(`  ${local} local  ${t.toISOString()}`);
    }
  }
  return lines.join('\n');
}

/** `schedule`, `engagement pause|resume` and `worker`. */
export function registerScheduleCommands(cli: Command, env: () => Env): void {
  cli
    .command('schedule')
    .argument('<engagement>', 'engagement id')
    .option('--from <time>', 'list deliveries after this time (ISO 8601); default now', isoTime)
    .option('--json', 'print JSON')
    .description("each person's next five deliveries, in local time and UTC")
    .action(async (engagementId: string, opts: { from?: Date; json?: boolean }) => {
      const schedule = await withRuntime(env(), (rt) =>
        scheduleOf(rt.ctx.store, engagementId, opts.from ?? rt.ctx.now()),
      );
      if (!schedule) throw new UserError(`engagement: no engagement "${engagementId}"`);
      if (!opts.json) {
        console.log(scheduleText(schedule));
        return;
      }
      const people = schedule.people.map((p) => ({
        id: p.id,
        timezone: p.timezone,
        status: p.status,
        next: p.next.map((t) => t.toISOString()),
      }));
      console.log(JSON.stringify({ engagement: schedule.engagement, people }, null, 2));
    });

  const engagement = cli.command('engagement').description('engagements');
  for (const [verb, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    engagement
      .command(verb)
      .argument('<engagement>', 'engagement id')
      .description(paused ? 'send nothing for this engagement' : 'send pulses again')
      .action(async (engagementId: string) => {
        const found = await withRuntime(env(), (rt) =>
          setEngagementPaused(rt.ctx, engagementId, paused),
        );
        if (!found) throw new UserError(`engagement: no engagement "${engagementId}"`);
        console.log(`engagement ${engagementId} ${paused ? 'paused' : 'resumed'}`);
      });
  }

  cli
    .command('worker')
    .description('run only the job workers and schedulers, no HTTP; run as many as you like')
    .action(async () => {
      const e = env();
      const log = createLogger(e.LOG_LEVEL);
      const worker = await startWorkerProcess(e, log);
      const stop = () => {
        worker.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
