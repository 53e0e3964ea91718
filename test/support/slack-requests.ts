import { createHmac } from 'node:crypto';

export interface SignedPost {
  body: string;
  headers: Record<string, string>;
}

/** Signs a body as Slack does: v0=HMAC-SHA256(secret, "v0:TIMESTAMP:BODY"). */
export function signSlack(
  secret: string,
  body: string,
  contentType = 'application/x-www-form-urlencoded',
  timestamp = Math.floor(Date.now() / 1000),
): SignedPost {
  const signature = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return {
    body,
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': `v0=${signature}`,
    },
  };
}

export interface ClickInput {
  team: string;
  user: string;
  channel: string;
  messageTs: string;
  actionId: string;
  blockId: string;
  value: string;
  responseUrl: string;
  /** `state.values` of the message's input blocks: block id → action id → field. */
  state?: Record<string, Record<string, Record<string, unknown>>>;
}

/** The form body of a `block_actions` payload for a button click, shaped as Slack sends it. */
export function blockActionsBody(c: ClickInput): string {
  const payload = {
    type: 'block_actions',
    user: {
      id: c.user,
      username: c.user.toLowerCase(),
      name: c.user.toLowerCase(),
      team_id: c.team,
    },
    api_app_id: 'A0RAPPORT',
    token: 'verification-token-unused',
    container: {
      type: 'message',
      message_ts: c.messageTs,
      channel_id: c.channel,
      is_ephemeral: false,
    },
    trigger_id: '1111111111.2222222222.abcdef',
    team: { id: c.team, domain: 'example' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: c.channel, name: 'directmessage' },
    message: { type: 'message', user: 'U0BOT', ts: c.messageTs, bot_id: 'B0BOT', text: 'pulse' },
    state: { values: c.state ?? {} },
    response_url: c.responseUrl,
    actions: [
      {
        action_id: c.actionId,
        block_id: c.blockId,
        text: { type: 'plain_text', text: 'x', emoji: true },
        value: c.value,
        type: 'button',
        action_ts: `${Math.floor(Date.now() / 1000)}.123456`,
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** The form body of a slash command, shaped as Slack sends it. */
export function slashCommandBody(input: {
  team: string;
  user: string;
  text: string;
  responseUrl: string;
}): string {
  return new URLSearchParams({
    token: 'verification-token-unused',
    team_id: input.team,
    team_domain: 'example',
    channel_id: 'D0000000',
    channel_name: 'directmessage',
    user_id: input.user,
    user_name: input.user.toLowerCase(),
    command: '/rapport',
    text: input.text,
    api_app_id: 'A0RAPPORT',
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: '1111111111.2222222222.abcdef',
  }).toString();
}
