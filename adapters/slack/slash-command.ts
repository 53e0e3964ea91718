import type { SlashCommand } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { Context } from '../../src/services/context.js';
import { requestScores } from '../../src/services/requests.js';
import { scoresBlocks } from './render-scores.js';

export interface SlashReply {
  response_type: 'ephemeral';
  text: string;
  blocks?: KnownBlock[];
}

const HELP =
  'Try `/rapport scores [ENGAGEMENT]` for the current scores (relationship managers only).';

function reply(text: string, blocks?: KnownBlock[]): SlashReply {
  return { response_type: 'ephemeral', text, ...(blocks ? { blocks } : {}) };
}

/** Answers `/rapport …`; unknown words get help, never an error. */
export async function handleSlashCommand(
  ctx: Context,
  command: Pick<SlashCommand, 'text' | 'team_id' | 'user_id'>,
): Promise<SlashReply> {
  const [verb, arg] = command.text.trim().split(/\s+/);
  if (verb !== 'scores') return reply(HELP);
  const requester = { platform: 'slack' as const, team: command.team_id, user: command.user_id };
  const result = await requestScores(ctx, requester, arg || undefined);
  switch (result.kind) {
    case 'scores':
      return reply(`Scores for ${result.report.name}`, scoresBlocks(result.report));
    case 'unknown-engagement':
      return reply(`There is no engagement called "${result.engagementId}".`);
    case 'choose':
      return reply(`You manage several engagements; name one: ${result.engagements.join(', ')}.`);
    case 'not-allowed':
      return reply(
        'Sorry, scores are shared with relationship managers only. ' +
          'Ask yours if you would like to see them.',
      );
  }
}
