import { randomUUID } from 'node:crypto';

/** The bot as Teams names it in `recipient`: `28:` and the app (client) id. */
export const BOT = { id: '28:00000000-0000-4000-8000-00000000b07a', name: 'Rapport' };

/** A Teams user in one tenant, with their personal chat with the bot. */
export interface TeamsUser {
  tenant: string;
  aadObjectId: string;
  /** The `29:` id Teams gives the user in this bot's conversations. */
  id: string;
  name: string;
  /** The personal conversation id, `a:1…`. */
  conversationId: string;
  timezone?: string;
}

/** A user with ids shaped as Teams makes them. */
export function teamsUser(tenant: string, aadObjectId: string, name: string): TeamsUser {
  const tag = aadObjectId.slice(-4);
  return {
    tenant,
    aadObjectId,
    id: `29:1${tag}Zr0Xq4mLk9aPfB2vW7c-${tag}`,
    name,
    conversationId: `a:1${tag}personalChatWithRapport${tag}`,
  };
}

function common(user: TeamsUser, serviceUrl: string) {
  return {
    id: `f:${randomUUID()}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
    conversation: { conversationType: 'personal', tenantId: user.tenant, id: user.conversationId },
    recipient: BOT,
    channelData: { tenant: { id: user.tenant } },
  };
}

function clientInfo(user: TeamsUser) {
  return [
    {
      type: 'clientInfo',
      locale: 'en-US',
      country: 'US',
      platform: 'Web',
      timezone: user.timezone ?? 'Europe/Berlin',
    },
  ];
}

/** The `conversationUpdate` Teams sends when a user adds the app to their personal scope. */
export function botAdded(user: TeamsUser, serviceUrl: string) {
  return {
    ...common(user, serviceUrl),
    type: 'conversationUpdate',
    membersAdded: [{ id: BOT.id }],
  };
}

/** The `installationUpdate` Teams sends alongside, with action `add`. */
export function installed(user: TeamsUser, serviceUrl: string) {
  const base = common(user, serviceUrl);
  return {
    ...base,
    type: 'installationUpdate',
    action: 'add',
    channelData: { ...base.channelData, source: { name: 'message' } },
  };
}

/** A message the user typed in the personal chat. */
export function typed(user: TeamsUser, serviceUrl: string, text: string) {
  const timezone = user.timezone ?? 'Europe/Berlin';
  return {
    ...common(user, serviceUrl),
    type: 'message',
    text,
    textFormat: 'plain',
    locale: 'en-US',
    localTimestamp: new Date().toISOString().replace('Z', '+01:00'),
    localTimezone: timezone,
    entities: clientInfo(user),
  };
}

/** The `adaptiveCard/action` invoke of a click on an `Action.Execute` button of a card. */
export function cardAction(
  user: TeamsUser,
  serviceUrl: string,
  replyToId: string,
  action: { verb: string; data: unknown; title?: string },
) {
  return {
    ...common(user, serviceUrl),
    type: 'invoke',
    name: 'adaptiveCard/action',
    locale: 'en-US',
    localTimezone: user.timezone ?? 'Europe/Berlin',
    replyToId,
    entities: clientInfo(user),
    value: {
      action: { type: 'Action.Execute', title: action.title ?? '', ...action },
      trigger: 'manual',
    },
  };
}

/** A team's General channel, as a conversation id and the team's channelData. */
export const TEAM = {
  conversationId: '19:e3f0a1c2d4b5467890abcdef12345678@thread.tacv2',
  aadGroupId: '5c7e0000-0000-4000-8000-00000000team',
  name: 'Lakeside vendor board',
};

function teamCommon(actor: TeamsUser, serviceUrl: string) {
  return {
    ...common(actor, serviceUrl),
    conversation: {
      isGroup: true,
      conversationType: 'channel',
      tenantId: actor.tenant,
      id: TEAM.conversationId,
    },
  };
}

function teamChannelData(tenant: string, eventType: string) {
  return {
    team: { aadGroupId: TEAM.aadGroupId, name: TEAM.name, id: TEAM.conversationId },
    eventType,
    tenant: { id: tenant },
  };
}

/** The `conversationUpdate` Teams sends when `installer` adds the app to a team. */
export function botAddedToTeam(installer: TeamsUser, serviceUrl: string) {
  return {
    ...teamCommon(installer, serviceUrl),
    type: 'conversationUpdate',
    membersAdded: [{ id: BOT.id }],
    channelData: teamChannelData(installer.tenant, 'teamMemberAdded'),
  };
}

/** The `conversationUpdate` Teams sends when `member` joins a team that has the app. */
export function memberJoinedTeam(by: TeamsUser, member: TeamsUser, serviceUrl: string) {
  return {
    ...teamCommon(by, serviceUrl),
    type: 'conversationUpdate',
    membersAdded: [{ id: member.id, aadObjectId: member.aadObjectId }],
    channelData: teamChannelData(member.tenant, 'teamMemberAdded'),
  };
}
