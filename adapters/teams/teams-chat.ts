import {
  Activity,
  type ConversationParameters,
  type ConversationReference,
} from '@microsoft/agents-activity';
import type { CloudAdapter, TurnContext } from '@microsoft/agents-hosting';
import {
  PermanentChatError,
  type ChatAddress,
  type ChatPort,
  type MessageRef,
  type NoticeView,
  type PulseView,
} from '../chat-port.js';
import {
  ADAPTIVE_CARD_TYPE,
  noticeCard,
  pulseCard,
  pulseSummary,
  type AdaptiveCard,
} from './render-card.js';

/** A message activity that carries one Adaptive Card, with a summary for notifications. */
export function cardActivity(card: AdaptiveCard, summary: string, id?: string): Activity {
  return Activity.fromObject({
    type: 'message',
    ...(id ? { id } : {}),
    summary,
    attachments: [{ contentType: ADAPTIVE_CARD_TYPE, content: card }],
  });
}

/** HTTP statuses of the Bot Connector that retrying will not mend. */
const PERMANENT_STATUSES = new Set([400, 401, 403, 404]);

function statusOf(err: unknown): number | undefined {
  const e = err as { status?: unknown; response?: { status?: unknown }; statusCode?: unknown };
  const status = e.status ?? e.response?.status ?? e.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Rethrows a connector failure as PermanentChatError when retrying cannot mend it, else as a
 * plain Error the job queue retries. Neither keeps the SDK's error, whose request (message
 * text, headers) must not reach the logs.
 */
function classify(err: unknown): never {
  const status = statusOf(err);
  if (status !== undefined && PERMANENT_STATUSES.has(status)) {
    throw new PermanentChatError(`teams: connector answered ${status}`);
  }
  const reason = status === undefined ? (err as Error).message : `connector answered ${status}`;
  throw new Error(`teams: ${String(reason).slice(0, 200)}`);
}

function referenceOf(value: unknown): ConversationReference {
  const ref = value as Partial<ConversationReference> | null;
  if (!ref?.serviceUrl || !ref.conversation?.id) {
    throw new PermanentChatError('teams: the stored conversation reference is incomplete');
  }
  return ref as ConversationReference;
}

/**
 * The chat port over the Teams Bot Connector: every message is proactive, sent through the
 * conversation reference kept when the app was installed for the person.
 */
export class TeamsChat implements ChatPort {
  readonly platform = 'teams' as const;

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
  ) {}

  async sendPulse(to: ChatAddress, pulse: PulseView): Promise<MessageRef> {
    return this.post(to, cardActivity(pulseCard(pulse), pulseSummary(pulse)));
  }

  async updatePulse(ref: MessageRef, pulse: PulseView): Promise<void> {
    await this.update(ref, pulseCard(pulse), pulseSummary(pulse));
  }

  async sendNotice(to: ChatAddress, notice: NoticeView): Promise<MessageRef> {
    return this.post(to, cardActivity(noticeCard(notice), notice.title));
  }

  async updateNotice(ref: MessageRef, notice: NoticeView): Promise<void> {
    await this.update(ref, noticeCard(notice), notice.title);
  }

  /**
   * Opens (or finds) the 1:1 chat between the bot and a Teams user, through the Bot Connector
   * at `serviceUrl` (`POST /v3/conversations`), and returns its conversation reference.
   */
  async openPersonalChat(
    serviceUrl: string,
    tenant: string,
    userId: string,
    agent: { id: string; name?: string },
  ): Promise<ConversationReference> {
    let reference: ConversationReference | undefined;
    // The SDK reads `agent`; the connector's wire format names the bot `bot`, so both go.
    // No first activity: the chat opens silently (the SDK's type insists on one).
    const parameters = {
      isGroup: false,
      agent,
      bot: agent,
      members: [{ id: userId }],
      tenantId: tenant,
      channelData: { tenant: { id: tenant } },
    };
    await this.adapter.createConversationAsync(
      this.appId,
      'msteams',
      serviceUrl,
      'https://api.botframework.com',
      parameters as unknown as ConversationParameters,
      (context) => {
        reference = context.activity.getConversationReference();
        return Promise.resolve();
      },
    );
    if (!reference) throw new Error('the Bot Connector created no conversation');
    return reference;
  }

  private async continueWith(reference: unknown, logic: (c: TurnContext) => Promise<void>) {
    try {
      await this.adapter.continueConversation(this.appId, referenceOf(reference), logic);
    } catch (err) {
      if (err instanceof PermanentChatError) throw err;
      classify(err);
    }
  }

  private async post(to: ChatAddress, activity: Activity): Promise<MessageRef> {
    if (to.platform !== 'teams') throw new PermanentChatError('not a Teams address');
    let activityId: string | undefined;
    await this.continueWith(to.reference, async (context) => {
      const sent = await context.sendActivity(activity);
      activityId = sent?.id;
    });
    if (!activityId) throw new Error('the Bot Connector returned no activity id');
    return { platform: 'teams', activityId, reference: to.reference };
  }

  private async update(ref: MessageRef, card: AdaptiveCard, summary: string): Promise<void> {
    if (ref.platform !== 'teams') throw new PermanentChatError('not a Teams message');
    await this.continueWith(ref.reference, async (context) => {
      await context.updateActivity(cardActivity(card, summary, ref.activityId));
    });
  }
}
