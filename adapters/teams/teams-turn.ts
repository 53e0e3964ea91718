import { CLOSED_TEXT, NOT_YOURS_TEXT, scoresRefusalText } from '../replies.js';
import { Activity } from '@microsoft/agents-activity';
import type { TurnContext } from '@microsoft/agents-hosting';
import { z } from 'zod';
import { recordClick } from '../../src/services/answers.js';
import type { Context } from '../../src/services/context.js';
import { pulseView } from '../../src/services/deliveries.js';
import { requestScores } from '../../src/services/requests.js';
import {
  awaitsTeamsConversation,
  noteTeamsTimezone,
  rememberTeamsConversation,
  type TeamsIdentity,
} from '../../src/services/teams-people.js';
import { dispatchAction } from '../actions.js';
import { scoresSections } from '../render-scores.js';
import { cardActivity, type TeamsChat } from './teams-chat.js';
import {
  ADAPTIVE_CARD_TYPE,
  ANSWER_VERB,
  NOTICE_INPUT_PREFIX,
  NOTICE_VERB,
  noticeCard,
  pulseCard,
  sectionsCard,
  type AdaptiveCard,
} from './render-card.js';

const MESSAGE_TYPE = 'application/vnd.microsoft.activity.message';

const HELP_TEXT = 'Say "scores" (or "scores ENGAGEMENT") to see the current scores.';

const answerData = z.object({
  deliveryId: z.string().min(1).max(300),
  questionId: z.string().min(1).max(64),
  score: z.number().int().min(0).max(10),
});

const noticeData = z.looseObject({ action: z.string().min(1), value: z.string().max(1000) });

const actionInvoke = z.object({
  action: z.object({ type: z.string(), verb: z.string().optional(), data: z.unknown() }),
});

interface ClientInfo {
  type?: string;
  timezone?: string;
}

function tenantOf(activity: Activity): string | undefined {
  const channelData = activity.channelData as { tenant?: { id?: string } } | undefined;
  return channelData?.tenant?.id ?? activity.conversation?.tenantId;
}

/** The Teams user behind an activity: tenant from channelData or conversation, AAD object id. */
export function identityOf(activity: Activity): TeamsIdentity | null {
  const tenant = tenantOf(activity);
  const user = activity.from?.aadObjectId;
  return tenant && user ? { tenant, user } : null;
}

/** The time zone the client reported: `localTimezone`, else the clientInfo entity's. */
export function timezoneOf(activity: Activity): string | undefined {
  const info = (activity.entities ?? []).find((e) => e.type === 'clientInfo') as
    ClientInfo | undefined;
  return activity.localTimezone ?? info?.timezone;
}

function isPersonal(activity: Activity): boolean {
  return activity.conversation?.conversationType === 'personal';
}

function botWasAdded(activity: Activity): boolean {
  if (activity.type === 'installationUpdate') return activity.action?.startsWith('add') ?? false;
  const bot = activity.recipient?.id;
  return (activity.membersAdded ?? []).some((m) => m.id === bot);
}

/**
 * In a team or group chat, opens a 1:1 chat with each configured person who arrived (the
 * installer, or members added later) and keeps its reference. Other members of the team
 * are not listed in the activity, so they are reached only once they install the app.
 */
async function reachNewMembers(ctx: Context, chat: TeamsChat, activity: Activity) {
  const tenant = tenantOf(activity);
  const bot = activity.recipient;
  const serviceUrl = activity.serviceUrl;
  if (!tenant || !bot?.id || !serviceUrl) return;
  const arrived = (activity.membersAdded ?? []).filter((m) => m.id !== bot.id);
  if (botWasAdded(activity) && activity.from) arrived.push(activity.from);
  const seen = new Set<string>();
  for (const member of arrived) {
    const user = member.aadObjectId;
    if (!user || !member.id || seen.has(user)) continue;
    seen.add(user);
    if (!(await awaitsTeamsConversation(ctx, { tenant, user }))) continue;
    const agent = { id: bot.id, ...(bot.name ? { name: bot.name } : {}) };
    const reference = await chat.openPersonalChat(serviceUrl, tenant, member.id, agent);
    await rememberTeamsConversation(ctx, { tenant, user }, reference);
  }
}

async function invokeReply(context: TurnContext, body: Record<string, unknown>) {
  await context.sendActivity(
    Activity.fromObject({ type: 'invokeResponse', value: { status: 200, body } }),
  );
}

function cardBody(card: AdaptiveCard) {
  return { statusCode: 200, type: ADAPTIVE_CARD_TYPE, value: card };
}

function messageBody(text: string) {
  return { statusCode: 200, type: MESSAGE_TYPE, value: text };
}

async function answerClick(ctx: Context, who: TeamsIdentity, data: unknown) {
  const parsed = answerData.safeParse(data);
  if (!parsed.success) return messageBody('That button is not one Rapport made.');
  const result = await recordClick(ctx, {
    ...parsed.data,
    identity: { platform: 'teams', ...who },
  });
  if (result.kind === 'not-yours' || result.kind === 'unknown-delivery') {
    return messageBody(NOT_YOURS_TEXT);
  }
  if (result.kind === 'invalid-score') return messageBody('That score is not one of the choices.');
  const delivery = await ctx.store.deliveries.findById(result.deliveryId).lean();
  const view = delivery ? await pulseView(ctx, delivery) : null;
  if (!view) return messageBody(CLOSED_TEXT);
  return cardBody(pulseCard(view));
}

async function noticeClick(ctx: Context, context: TurnContext, who: TeamsIdentity, data: unknown) {
  const parsed = noticeData.safeParse(data);
  if (!parsed.success) return messageBody('That button no longer does anything. Sorry about that.');
  const inputs: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed.data)) {
    if (key.startsWith(NOTICE_INPUT_PREFIX) && typeof value === 'string' && value) {
      inputs[key.slice(NOTICE_INPUT_PREFIX.length)] = value;
    }
  }
  const reply = await dispatchAction(ctx, {
    actor: { platform: 'teams', ...who },
    action: parsed.data.action,
    value: parsed.data.value,
    inputs,
  });
  if (reply.notice) {
    if (reply.message) await context.sendActivity(reply.message);
    return cardBody(noticeCard(reply.notice));
  }
  return messageBody(reply.message ?? 'Done.');
}

async function onInvoke(ctx: Context, context: TurnContext, who: TeamsIdentity | null) {
  const activity = context.activity;
  const parsed = actionInvoke.safeParse(activity.value);
  if (activity.name !== 'adaptiveCard/action' || !parsed.success || !who) {
    await invokeReply(context, messageBody('Rapport does not know that action.'));
    return;
  }
  const { verb, data } = parsed.data.action;
  const body =
    verb === ANSWER_VERB
      ? await answerClick(ctx, who, data)
      : verb === NOTICE_VERB
        ? await noticeClick(ctx, context, who, data)
        : messageBody('Rapport does not know that action.');
  await invokeReply(context, body);
}

/** The words of a message with any @mention of the bot removed. */
function wordsOf(text: string | undefined): string[] {
  const plain = (text ?? '').replace(/<at>[^<]*<\/at>/g, ' ').trim();
  return plain.split(/\s+/).filter(Boolean);
}

async function onMessage(ctx: Context, context: TurnContext, who: TeamsIdentity | null) {
  const [verb = '', ...args] = wordsOf(context.activity.text);
  if (verb.toLowerCase() !== 'scores' || !isPersonal(context.activity) || !who) {
    await context.sendActivity(HELP_TEXT);
    return;
  }
  const result = await requestScores(ctx, { platform: 'teams', ...who }, args[0]);
  if (result.kind !== 'scores') {
    await context.sendActivity(scoresRefusalText(result));
    return;
  }
  const card = sectionsCard(scoresSections(result.report, result.unreachable));
  await context.sendActivity(cardActivity(card, `Scores for ${result.report.name}`));
}

/**
 * Handles one Teams activity: installs keep the conversation reference (opening a 1:1 chat
 * when the install or arrival happened in a team or group chat), every activity
 * refreshes the person's time zone, "scores" in a personal chat replies with a card, and
 * `adaptiveCard/action` invokes answer pulses and notices in the invoke response.
 */
export async function handleTeamsTurn(
  ctx: Context,
  chat: TeamsChat,
  context: TurnContext,
): Promise<void> {
  const activity = context.activity;
  const who = identityOf(activity);
  if (who) await noteTeamsTimezone(ctx, who, timezoneOf(activity));
  switch (activity.type) {
    case 'conversationUpdate':
    case 'installationUpdate':
      if (!isPersonal(activity)) {
        await reachNewMembers(ctx, chat, activity);
      } else if (who && botWasAdded(activity)) {
        await rememberTeamsConversation(ctx, who, activity.getConversationReference());
      }
      return;
    case 'invoke':
      await onInvoke(ctx, context, who);
      return;
    case 'message':
      await onMessage(ctx, context, who);
      return;
    default:
      return;
  }
}
