import { InvalidArgumentError, type Command } from 'commander';
import { planSections } from '../../../adapters/render-plan.js';
import { openRuntime } from '../../app.js';
import type { Env } from '../../config/env.js';
import { UserError } from '../../errors.js';
import { createLogger } from '../../logger.js';
import { addAction, listActions, milestoneKey } from '../../services/action-plan.js';
import { checkMilestones } from '../../services/milestone-check.js';
import { markDone, replan } from '../../services/milestone-updates.js';
import { isoTime } from '../time-option.js';
import { withRuntime } from './core.js';

interface MilestoneArg {
  due: string;
  title: string;
}

/** `--milestone "2026-03-01 Draft measures"`: a due date, a space, then the title. */
function milestoneArg(value: string, previous: MilestoneArg[] = []): MilestoneArg[] {
  const match = /^\s*(\S+)\s+(.+)$/.exec(value);
  if (!match) throw new InvalidArgumentError(`"${value}" must be a due date then a title`);
  return [...previous, { due: match[1]!, title: match[2]! }];
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

interface AddOptions {
  id?: string;
  title: string;
  dimension: string;
  owners: string[];
  milestone?: MilestoneArg[];
}

/** `actions add|list|done|replan` and `milestones check`. */
export function registerActionCommands(cli: Command, env: () => Env): void {
  const actions = cli.command('actions').description('the joint action plan of an engagement');
  actions
    .command('add')
    .argument('<engagement>', 'engagement id')
    .requiredOption('--title <text>', 'what the action is')
    .requiredOption('--dimension <dimension>', 'the dimension it works on, e.g. governance')
    .requiredOption('--owners <ids>', 'person ids, comma-separated, ideally one per side', list)
    .option('--id <id>', 'action id; default: made from the title')
    .option(
      '--milestone <"DATE TITLE">',
      'a milestone, due date then title; repeatable',
      milestoneArg,
    )
    .description('add an action item with its milestones')
    .action(async (engagementId: string, opts: AddOptions) => {
      const input = {
        ...(opts.id !== undefined ? { id: opts.id } : {}),
        title: opts.title,
        dimension: opts.dimension,
        owners: opts.owners,
        milestones: opts.milestone ?? [],
      };
      const added = await withRuntime(env(), (rt) =>
        addAction(rt.ctx.store, engagementId, input, 'cli'),
      );
      const ms = added.milestoneIds.length > 0 ? ` with ${added.milestoneIds.join(', ')}` : '';
      console.log(`action ${added.actionId} added${ms}`);
    });

  actions
    .command('list')
    .argument('<engagement>', 'engagement id')
    .option('--json', 'print JSON')
    .option('--as-of <time>', 'show states as of this time (ISO 8601); default now', isoTime)
    .description('list action items and their milestones with their states')
    .action(async (engagementId: string, opts: { json?: boolean; asOf?: Date }) => {
      const plan = await withRuntime(env(), (rt) =>
        listActions(rt.ctx.store, engagementId, opts.asOf ?? rt.ctx.now()),
      );
      if (opts.json) {
        console.log(JSON.stringify(plan, null, 2));
        return;
      }
      if (plan.length === 0) console.log(`${engagementId} has no actions yet`);
      for (const s of planSections(plan)) {
        console.log([s.title, ...s.lines.map((l) => `  ${l}`)].join('\n'));
      }
    });

  actions
    .command('done')
    .argument('<engagement>', 'engagement id')
    .argument('<milestone>', 'milestone id')
    .description('mark a milestone done today')
    .action(async (engagementId: string, milestoneId: string) => {
      const change = await withRuntime(env(), (rt) =>
        markDone(rt.ctx, milestoneKey(engagementId, milestoneId), 'cli'),
      );
      if (change.kind === 'unknown') {
        throw new UserError(`milestone: no milestone "${milestoneId}" in ${engagementId}`);
      }
      const doneOn = change.kind === 'done' || change.kind === 'already-done';
      const on = doneOn ? change.milestone.doneOn : null;
      console.log(
        change.kind === 'done'
          ? `milestone ${milestoneId} done on ${on}`
          : `milestone ${milestoneId} was done already, on ${on}`,
      );
    });

  actions
    .command('replan')
    .argument('<engagement>', 'engagement id')
    .argument('<milestone>', 'milestone id')
    .requiredOption('--due <date>', 'the new due date, yyyy-mm-dd')
    .requiredOption('--reason <text>', 'why it moves')
    .description('move a milestone to a new date, keeping its history')
    .action(
      async (engagementId: string, milestoneId: string, opts: { due: string; reason: string }) => {
        const change = await withRuntime(env(), (rt) =>
          replan(rt.ctx, milestoneKey(engagementId, milestoneId), opts, 'cli'),
        );
        if (change.kind === 'unknown') {
          throw new UserError(`milestone: no milestone "${milestoneId}" in ${engagementId}`);
        }
        if (change.kind === 'already-done')
          throw new UserError(`milestone: ${milestoneId} is done`);
        console.log(`milestone ${milestoneId} re-planned to ${opts.due}`);
      },
    );

  cli
    .command('milestones')
    .description('milestones')
    .command('check')
    .argument('[engagement]', 'engagement id; default every engagement')
    .option('--as-of <time>', 'check as if it were this time (ISO 8601); default now', isoTime)
    .description('send the reminders, nudges, escalations and alerts that are due')
    .action(async (engagementId: string | undefined, opts: { asOf?: Date }) => {
      const e = env();
      // Unlike the other commands this one sends chat messages itself, so its ports are on.
      const runtime = await openRuntime(
        e,
        createLogger(e.LOG_LEVEL === 'info' ? 'warn' : e.LOG_LEVEL),
      );
      try {
        const s = await checkMilestones(runtime.ctx, engagementId, opts.asOf ?? runtime.ctx.now());
        console.log(
          `checked ${s.engagements} engagements: ${s.reminders} reminders, ${s.nudges} nudges, ` +
            `${s.escalations} escalations, ${s.alerts} alerts sent; ${s.unreachable} unreachable`,
        );
      } finally {
        await runtime.close();
      }
    });
}
