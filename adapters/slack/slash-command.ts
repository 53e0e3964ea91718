import { scoresRefusalText } from '../replies.js';
import type { SlashCommand } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { Context } from '../../src/services/context.js';
import { requestScores, type Requester } from '../../src/services/requests.js';
import { scoresBlocks } from './render-scores.js';
import { actionsVerb } from './slash-actions.js';
import { pauseReply, resumeReply } from './slash-pause.js';

export interface SlashReply {
  response_type: 'ephemeral';
  text: string;
  blocks?: KnownBlock[];
}

export function reply(text: string, blocks?: KnownBlock[]): SlashReply {
  return { response_type: 'ephemeral', text, ...(blocks ? { blocks } : {}) };
}

/** One word of `/rapport WORD ARGS…`. */
export interface SlashVerb {
  usage: string;
  run(ctx: Context, requester: Requester, args: string[]): Promise<SlashReply>;
}

const scores: SlashVerb = {
  usage: '`/rapport scores [ENGAGEMENT]`: current scores (relationship managers)',
  run: scoresReply,
};

/** Every verb of the slash command; a feature adds its own entry here. */
const VERBS: Record<string, SlashVerb> = {
  scores,
  actions: actionsVerb,
  pause: {
    usage: '`/rapport pause [WEEKS]`: no pulses until then, or until you resume',
    run: pauseReply,
  },
  resume: { usage: '`/rapport resume`: get pulses again', run: (ctx, r) => resumeReply(ctx, r) },
};

function help(): SlashReply {
  return reply(['Try one of:', ...Object.values(VERBS).map((v) => `• ${v.usage}`)].join('\n'));
}

/** Answers `/rapport …`; unknown words get help, never an error. */
export async function handleSlashCommand(
  ctx: Context,
  command: Pick<SlashCommand, 'text' | 'team_id' | 'user_id'>,
): Promise<SlashReply> {
  const [verb = '', ...args] = (command.text ?? '').trim().split(/\s+/);
  const requester = { platform: 'slack' as const, team: command.team_id, user: command.user_id };
  const handler = Object.hasOwn(VERBS, verb) ? VERBS[verb] : undefined;
  return handler ? handler.run(ctx, requester, args.filter(Boolean)) : help();
}

async function scoresReply(ctx: Context, requester: Requester, args: string[]) {
  const result = await requestScores(ctx, requester, args[0]);
  switch (result.kind) {
    case 'scores':
      return reply(
        `Scores for ${result.report.name}`,
        scoresBlocks(result.report, result.unreachable),
      );
    default:
      return reply(scoresRefusalText(result));
  }
}
