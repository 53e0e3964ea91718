import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { scoresSections } from '../../../adapters/render-scores.js';
import type { Env } from '../../config/env.js';
import { UserError } from '../../errors.js';
import { importAnswers } from '../../services/answer-import.js';
import { rebuildRollups } from '../../services/rollup-rebuild.js';
import { scoresOf } from '../../services/scores.js';
import { isoTime } from '../time-option.js';
import { withRuntime } from './core.js';

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(`${file}: ${(err as NodeJS.ErrnoException).code ?? 'cannot read'}`, {
      cause: err,
    });
  }
}

/** `scores ENGAGEMENT`, `scores rebuild ENGAGEMENT` and `answers import FILE.csv`. */
export function registerScoresCommands(cli: Command, env: () => Env): void {
  const scores = cli
    .command('scores')
    .argument('<engagement>', 'engagement id')
    .option('--json', 'print JSON')
    .option('--as-of <time>', 'end of the rolling window (ISO 8601); default now', isoTime)
    .option('--since <time>', 'compare NPS with the window ending then (ISO 8601)', isoTime)
    .description('print the scores over the rolling window')
    .action(async (engagementId: string, opts: { json?: boolean; asOf?: Date; since?: Date }) => {
      const report = await withRuntime(env(), (rt) =>
        scoresOf(rt.ctx.store, engagementId, opts.asOf ?? rt.ctx.now(), opts.since),
      );
      if (!report) throw new UserError(`engagement: no engagement "${engagementId}"`);
      if (opts.json) {
        console.log(JSON.stringify(report, null, 2));
        return;
      }
      for (const s of scoresSections(report))
        console.log([s.title, ...s.lines.map((l) => `  ${l}`)].join('\n'));
    });

  scores
    .command('rebuild')
    .argument('<engagement>', 'engagement id')
    .description("recompute the engagement's roll-ups from its stored answers")
    .action(async (engagementId: string) => {
      const result = await withRuntime(env(), async (rt) => {
        const exists = await rt.ctx.store.engagements.exists({ _id: engagementId });
        return exists ? rebuildRollups(rt.ctx, engagementId) : null;
      });
      if (!result) throw new UserError(`engagement: no engagement "${engagementId}"`);
      console.log(`roll-ups rebuilt: ${result.answers} answers in ${result.weeks} weeks`);
    });

  cli
    .command('answers')
    .description('answers')
    .command('import')
    .argument('<file>', 'CSV with columns engagement,answered_at,person,side,dimension,scale,score')
    .description('import past answers; a file with any bad row is refused whole')
    .action(async (file: string) => {
      const text = await readText(file);
      const s = await withRuntime(env(), (rt) => importAnswers(rt.ctx, text));
      console.log(
        `answers: ${s.rows} rows, ${s.added} added, ${s.replaced} replaced, ` +
          `${s.unchanged} unchanged`,
      );
    });
}
