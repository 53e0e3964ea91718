import type { Context } from '../../src/services/context.js';
import { pausePerson, resumePerson } from '../../src/services/pause.js';
import type { Requester } from '../../src/services/requests.js';
import { reply, type SlashReply } from './slash-command.js';

/** The longest pause a person can ask for, in weeks. */
const MAX_PAUSE_WEEKS = 52;

const UNKNOWN = 'You are not part of any Rapport engagement here, so there is nothing to pause.';

/** `/rapport pause [WEEKS]`: no pulses or reminders until then, or until `/rapport resume`. */
export async function pauseReply(
  ctx: Context,
  requester: Requester,
  args: string[],
): Promise<SlashReply> {
  const [word] = args;
  const weeks = word === undefined ? undefined : Number(word);
  if (weeks !== undefined && (!Number.isInteger(weeks) || weeks < 1 || weeks > MAX_PAUSE_WEEKS)) {
    return reply(
      `WEEKS must be a whole number from 1 to ${MAX_PAUSE_WEEKS}, such as \`/rapport pause 2\`.`,
    );
  }
  const result = await pausePerson(ctx, requester, weeks);
  if (result.kind !== 'paused') return reply(UNKNOWN);
  const until = result.until
    ? `until ${result.until.toISOString().slice(0, 10)}`
    : 'until you send `/rapport resume`';
  return reply(
    `Paused ${until}: you will get no pulses or reminders. Your past answers still count.`,
  );
}

/** `/rapport resume`: pulses reach the person again from the next occurrence. */
export async function resumeReply(ctx: Context, requester: Requester): Promise<SlashReply> {
  const result = await resumePerson(ctx, requester);
  if (result.kind !== 'resumed') return reply(UNKNOWN);
  return reply('Welcome back: you will get the next pulse.');
}
