import type { KnownBlock } from '@slack/types';
import { listActions } from '../../src/services/action-plan.js';
import type { Context } from '../../src/services/context.js';
import { chatAddress } from '../../src/services/people.js';
import type { Requester } from '../../src/services/requests.js';
import { actorIn, addActionForm } from '../plan-actions.js';
import { planSections } from '../render-plan.js';
import type { SlashReply, SlashVerb } from './slash-command.js';

const PLAN_ROLES = ['governance_lead', 'relationship_manager', 'admin'];

function text(t: string, blocks?: KnownBlock[]): SlashReply {
  return { response_type: 'ephemeral', text: t, ...(blocks ? { blocks } : {}) };
}

/** The engagement a request is about: the one named, else the requester's only one. */
async function engagementOf(ctx: Context, requester: Requester, named: string | undefined) {
  const filter =
    requester.platform === 'slack'
      ? { 'slack.team': requester.team, 'slack.user': requester.user, active: true }
      : { 'teams.tenant': requester.tenant, 'teams.user': requester.user, active: true };
  const mine = (await ctx.store.people.find(filter).lean()).map((p) => p.engagementId).sort();
  if (named !== undefined) {
    return mine.includes(named)
      ? { kind: 'ok' as const, id: named }
      : { kind: 'error' as const, error: `You take no part in an engagement called "${named}".` };
  }
  if (mine.length === 1) return { kind: 'ok' as const, id: mine[0]! };
  if (mine.length === 0)
    return { kind: 'error' as const, error: 'You take no part in any engagement here.' };
  return {
    kind: 'error' as const,
    error: `You are in several engagements; name one: ${mine.join(', ')}.`,
  };
}

async function list(ctx: Context, requester: Requester, named: string | undefined) {
  const e = await engagementOf(ctx, requester, named);
  if (e.kind === 'error') return text(e.error);
  const actions = await listActions(ctx.store, e.id, ctx.now());
  if (actions.length === 0) {
    return text(`${e.id} has no actions yet. \`/rapport actions add\` opens a form.`);
  }
  const blocks: KnownBlock[] = planSections(actions).map((s) => ({
    type: 'section',
    text: { type: 'mrkdwn', text: [`*${s.title}*`, ...s.lines.map((l) => `• ${l}`)].join('\n') },
  }));
  return text(`Action plan of ${e.id}`, blocks);
}

/** Sends the add-action form as a notice, so its Add click goes through the action registry. */
async function form(ctx: Context, requester: Requester, named: string | undefined) {
  const e = await engagementOf(ctx, requester, named);
  if (e.kind === 'error') return text(e.error);
  const person = await actorIn(ctx, requester, e.id);
  if (!person?.roles.some((r) => PLAN_ROLES.includes(r))) {
    return text('Only governance leads and relationship managers can add actions.');
  }
  const engagement = await ctx.store.engagements.findById(e.id).lean();
  const address = chatAddress(person);
  const port = address ? ctx.chat[address.platform] : undefined;
  if (!address || !port || !engagement) return text('I cannot reach you to send the form.');
  await port.sendNotice(address, addActionForm(e.id, engagement.name));
  return text('I sent you a form to add an action.');
}

/** `/rapport actions [ENGAGEMENT]` lists the plan; `/rapport actions add [ENGAGEMENT]` adds. */
export const actionsVerb: SlashVerb = {
  usage: '`/rapport actions [add] [ENGAGEMENT]`: the joint action plan, or a form to add to it',
  run(ctx, requester, args) {
    return args[0] === 'add' ? form(ctx, requester, args[1]) : list(ctx, requester, args[0]);
  },
};
