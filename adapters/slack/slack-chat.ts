import { webApi } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import {
  PermanentChatError,
  type ChatAddress,
  type ChatPort,
  type MessageRef,
  type NoticeView,
  type PulseView,
} from '../chat-port.js';
import { noticeBlocks, noticeText } from './render-notice.js';
import { pulseBlocks, pulseFallbackText } from './render-pulse.js';

/** Slack errors that retrying cannot mend. */
const PERMANENT = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'user_not_found',
  'channel_not_found',
  'cannot_dm_bot',
  'user_disabled',
  'missing_scope',
  'message_not_found',
]);

interface SlackErrorShape {
  code?: string;
  data?: { error?: string };
}

function slackErrorCode(err: unknown): string | undefined {
  const e = err as SlackErrorShape;
  return e.code === webApi.ErrorCode.PlatformError ? e.data?.error : undefined;
}

/** Rethrows a permanent Slack error as PermanentChatError, anything else as it is. */
function classify(err: unknown): never {
  const code = slackErrorCode(err);
  if (code && PERMANENT.has(code)) throw new PermanentChatError(`slack: ${code}`, { cause: err });
  throw err;
}

/** Options of the Slack Web API client. */
export interface SlackClientOptions {
  token: string;
  /** Base URL of the Web API, ending in `/`; defaults to Slack's own. */
  apiUrl?: string | undefined;
}

/** A Web API client that retries briefly itself and leaves longer retries to the job queue. */
export function createSlackClient(options: SlackClientOptions): webApi.WebClient {
  return new webApi.WebClient(options.token, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2000 },
    logLevel: webApi.LogLevel.ERROR,
  });
}

/** The chat port over Slack's Web API. */
export class SlackChat implements ChatPort {
  readonly platform = 'slack' as const;

  constructor(private readonly client: webApi.WebClient) {}

  async sendPulse(to: ChatAddress, pulse: PulseView): Promise<MessageRef> {
    return this.post(to, pulseFallbackText(pulse), pulseBlocks(pulse));
  }

  async updatePulse(ref: MessageRef, pulse: PulseView): Promise<void> {
    await this.update(ref, pulseFallbackText(pulse), pulseBlocks(pulse));
  }

  async sendNotice(to: ChatAddress, notice: NoticeView): Promise<MessageRef> {
    return this.post(to, noticeText(notice), noticeBlocks(notice));
  }

  async updateNotice(ref: MessageRef, notice: NoticeView): Promise<void> {
    await this.update(ref, noticeText(notice), noticeBlocks(notice));
  }

  private async post(to: ChatAddress, text: string, blocks: KnownBlock[]): Promise<MessageRef> {
    if (to.platform !== 'slack') throw new PermanentChatError('not a Slack address');
    try {
      const dm = await this.client.conversations.open({ users: to.user });
      const channel = dm.channel?.id;
      if (!channel) throw new Error('conversations.open returned no channel');
      const posted = await this.client.chat.postMessage({ channel, text, blocks });
      if (!posted.ts) throw new Error('chat.postMessage returned no ts');
      return { platform: 'slack', channel: posted.channel ?? channel, ts: posted.ts };
    } catch (err) {
      return classify(err);
    }
  }

  private async update(ref: MessageRef, text: string, blocks: KnownBlock[]): Promise<void> {
    if (ref.platform !== 'slack') throw new PermanentChatError('not a Slack message');
    try {
      await this.client.chat.update({ channel: ref.channel, ts: ref.ts, text, blocks });
    } catch (err) {
      classify(err);
    }
  }
}
