import { webApi } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import {
  PermanentChatError,
  RateLimitedChatError,
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

/**
 * Rethrows a permanent Slack error as PermanentChatError, a 429 as RateLimitedChatError, and
 * anything else as it is.
 */
function classify(err: unknown): never {
  if (err instanceof webApi.WebAPIRateLimitedError || isRateLimited(err)) {
    throw new RateLimitedChatError((err as { retryAfter: number }).retryAfter, { cause: err });
  }
  const code = slackErrorCode(err);
  if (code && PERMANENT.has(code)) throw new PermanentChatError(`slack: ${code}`, { cause: err });
  throw err;
}

function isRateLimited(err: unknown): boolean {
  return (err as { code?: unknown }).code === webApi.ErrorCode.RateLimitedError;
}

/** Options of the Slack Web API client. */
export interface SlackClientOptions {
  token: string;
  /** Base URL of the Web API, ending in `/`; defaults to Slack's own. */
  apiUrl?: string | undefined;
  /** Milliseconds a call may take before it fails; default 10,000. */
  timeoutMs?: number | undefined;
}

/**
 * A Web API client that retries briefly itself and leaves longer retries to the job queue.
 * With `rejectRateLimited`, a 429 is handed back at once instead of waited out.
 */
export function createSlackClient(
  options: SlackClientOptions,
  rejectRateLimited = false,
): webApi.WebClient {
  return new webApi.WebClient(options.token, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2000 },
    rejectRateLimitedCalls: rejectRateLimited,
    timeout: options.timeoutMs ?? 10_000,
    logLevel: webApi.LogLevel.ERROR,
  });
}

/**
 * A client for chat.postMessage alone: it never retries by itself, since a post that timed
 * out may still have gone through, and it hands a 429 back instead of waiting, so the job
 * queue waits the Retry-After without holding a worker.
 */
export function createSlackPoster(options: SlackClientOptions): webApi.WebClient {
  return new webApi.WebClient(options.token, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.timeoutMs ?? 10_000,
    logLevel: webApi.LogLevel.ERROR,
  });
}

/** The Slack chat port with its two clients: one for posting and one for everything else. */
export function createSlackChat(options: SlackClientOptions): SlackChat {
  const timeout = options.timeoutMs ?? 10_000;
  // conversations.open may be tried three times, then the post once, each up to the timeout.
  // Both hand a 429 back rather than wait it out: waiting would outlast the lease.
  const lease = 5 * timeout + 5_000;
  const poster = createSlackPoster(options);
  const opener = createSlackClient(options, true);
  return new SlackChat(createSlackClient(options), poster, lease, opener);
}

/** The event type of the metadata each pulse message carries, naming its delivery. */
export const PULSE_EVENT = 'rapport_pulse';

function deliveryOf(payload: unknown): unknown {
  return (payload as { delivery_id?: unknown } | null | undefined)?.delivery_id;
}

/** Recent DM messages searched for an earlier post of a pulse. */
const HISTORY_LIMIT = 50;

/** The chat port over Slack's Web API. */
export class SlackChat implements ChatPort {
  readonly platform = 'slack' as const;

  /**
   * `poster` sends new messages and `opener` opens DMs before a post or a search for one; both
   * default to `client`, which then may retry a post or wait out a 429.
   */
  constructor(
    private readonly client: webApi.WebClient,
    private readonly poster: webApi.WebClient = client,
    readonly sendLeaseMs = 60_000,
    private readonly opener: webApi.WebClient = client,
  ) {}

  async sendPulse(to: ChatAddress, pulse: PulseView): Promise<MessageRef> {
    const metadata = { event_type: PULSE_EVENT, event_payload: { delivery_id: pulse.deliveryId } };
    return this.post(to, pulseFallbackText(pulse), pulseBlocks(pulse), metadata);
  }

  /**
   * Looks through the DM's recent history (scope `im:history`) for a message whose metadata
   * names this delivery: Slack keeps message metadata and returns it with
   * `include_all_metadata`, so a post whose answer was lost is still found.
   */
  async findPulse(to: ChatAddress, deliveryId: string): Promise<MessageRef | null> {
    if (to.platform !== 'slack') throw new PermanentChatError('not a Slack address');
    try {
      const channel = await this.openDm(to.user);
      const history = await this.client.conversations.history({
        channel,
        limit: HISTORY_LIMIT,
        include_all_metadata: true,
      });
      const found = (history.messages ?? []).find(
        (m) =>
          m.metadata?.event_type === PULSE_EVENT &&
          deliveryOf(m.metadata.event_payload) === deliveryId,
      );
      return found?.ts ? { platform: 'slack', channel, ts: found.ts } : null;
    } catch (err) {
      return classify(err);
    }
  }

  async userTimezone(to: ChatAddress): Promise<string | null> {
    if (to.platform !== 'slack') throw new PermanentChatError('not a Slack address');
    try {
      const info = await this.client.users.info({ user: to.user });
      return info.user?.tz ?? null;
    } catch (err) {
      return classify(err);
    }
  }

  private async openDm(user: string): Promise<string> {
    const dm = await this.opener.conversations.open({ users: user });
    const channel = dm.channel?.id;
    if (!channel) throw new Error('conversations.open returned no channel');
    return channel;
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

  private async post(
    to: ChatAddress,
    text: string,
    blocks: KnownBlock[],
    metadata?: { event_type: string; event_payload: Record<string, string> },
  ): Promise<MessageRef> {
    if (to.platform !== 'slack') throw new PermanentChatError('not a Slack address');
    try {
      const channel = await this.openDm(to.user);
      const posted = await this.poster.chat.postMessage({
        channel,
        text,
        blocks,
        ...(metadata ? { metadata } : {}),
      });
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
