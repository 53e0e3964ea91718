import {
  PermanentChatError,
  RateLimitedChatError,
  type MessageRef,
  type PulseView,
} from '../../adapters/chat-port.js';
import type { Scale } from '../domain/dimension.js';
import { questionFor } from '../domain/questions.js';
import type { DeliveryDoc } from '../store/store.js';
import type { Context } from './context.js';
import { isPersonPaused } from './pause.js';
import { chatAddress, personOfDelivery } from './people.js';
import { scheduleReminders } from './reminders.js';
import { RetryLaterError } from './retry-later.js';

type Delivery = DeliveryDoc;

/** Builds what one person sees of their pulse, with the answers they gave so far. */
export async function pulseView(ctx: Context, delivery: Delivery): Promise<PulseView | null> {
  // Before the first send there is no message to click, so there are no answers to read.
  const unsent = delivery.state === 'scheduled' && !delivery.sendAttempts;
  const [engagement, pulse, answers] = await Promise.all([
    ctx.store.engagements.findById(delivery.engagementId).lean(),
    ctx.store.pulses.findById(delivery.pulseId).lean(),
    unsent
      ? []
      : ctx.store.answers.find({ pulseId: delivery.pulseId, personId: delivery.personId }).lean(),
  ]);
  if (!engagement || !pulse) return null;
  const parties = { client: engagement.client, provider: engagement.provider };
  const chosen = new Map(answers.map((a) => [a.questionId, a.score]));
  const closed = pulse.closedAt !== null || ctx.now() >= pulse.closesAt;
  return {
    deliveryId: delivery._id,
    engagementName: engagement.name,
    side: delivery.side,
    status: closed ? 'closed' : 'open',
    closesAt: pulse.closesAt,
    questions: delivery.questions.map((q) => {
      const question = questionFor(q.dimension!, delivery.side, parties);
      return {
        id: question.id,
        text: question.text,
        scale: q.scale as Scale,
        chosen: chosen.get(question.id) ?? null,
      };
    }),
  };
}

export type DeliverResult = 'sent' | 'skipped' | 'unreachable' | 'failed' | 'paused';

/** How long a claim to send holds when the port does not say how long a send can take. */
const CLAIM_MS = 60_000;

/**
 * After a send whose outcome is unknown (a timeout, a 500), how long to wait before looking
 * for the message: long enough for a slow post still in flight to land.
 */
const SETTLE_MS = 3_000;

/** States a delivery may be sent from; `sending` only once its claim has lapsed. */
const SENDABLE: ('scheduled' | 'sending')[] = ['scheduled', 'sending'];

/**
 * Sends one delivery, at most once. The delivery is first claimed (`sending`, with a lease),
 * so two workers never post it together. A claim after an earlier one asks the platform
 * whether the message went out already (a timed-out post may have landed) before posting.
 * A 429 waits its Retry-After; a permanent platform error marks the delivery failed; any
 * other error is thrown, with the claim held a little, so the job retries.
 */
export async function deliver(ctx: Context, deliveryId: string): Promise<DeliverResult> {
  const delivery = await ctx.store.deliveries.findById(deliveryId).lean();
  if (!delivery || !(SENDABLE as string[]).includes(delivery.state)) return 'skipped';
  const log = ctx.log.child({ engagementId: delivery.engagementId, pulseId: delivery.pulseId });
  const [engagement, person] = await Promise.all([
    ctx.store.engagements.findById(delivery.engagementId).lean(),
    personOfDelivery(ctx.store, delivery),
  ]);
  if (engagement?.paused || (person && isPersonPaused(person, ctx.now()))) {
    await markDelivery(ctx, deliveryId, 'paused', 'paused before sending');
    return 'paused';
  }
  const address = person ? chatAddress(person) : null;
  const port = address ? ctx.chat[address.platform] : undefined;
  if (!address || !port) {
    await markDelivery(ctx, deliveryId, 'unreachable', address ? 'platform is off' : 'no address');
    log.warn({ deliveryId }, 'delivery unreachable');
    return 'unreachable';
  }
  const view = await pulseView(ctx, delivery);
  if (!view || view.status === 'closed') {
    await markDelivery(ctx, deliveryId, 'expired', 'pulse closed before sending');
    return 'skipped';
  }
  const claim = await claimDelivery(ctx, deliveryId, port.sendLeaseMs ?? CLAIM_MS);
  if (claim === null) return 'skipped';
  let message: MessageRef | null = null;
  try {
    if (claim.earlierAttempts > 0 && port.findPulse) {
      message = await port.findPulse(address, deliveryId);
      if (message) log.info({ deliveryId }, 'pulse found already posted');
    }
    message ??= await port.sendPulse(address, view);
  } catch (err) {
    return handleSendError(ctx, deliveryId, err, log);
  }
  await markSent(ctx, deliveryId, message);
  log.info({ deliveryId, platform: port.platform }, 'pulse delivered');
  await scheduleReminders(ctx, deliveryId);
  return 'sent';
}

/**
 * Takes the delivery for sending. Returns how many claims came before, or null when the
 * delivery left the sendable states. Another process's live claim makes the job wait it out.
 */
async function claimDelivery(ctx: Context, deliveryId: string, leaseMs: number) {
  const now = ctx.now();
  const before = await ctx.store.deliveries
    .findOneAndUpdate(
      {
        _id: deliveryId,
        $or: [{ state: 'scheduled' }, { state: 'sending', claimedUntil: { $lte: now } }],
      },
      {
        $set: { state: 'sending', claimedUntil: new Date(now.getTime() + leaseMs) },
        $inc: { sendAttempts: 1 },
      },
      { returnDocument: 'before' },
    )
    .lean();
  if (before) return { earlierAttempts: before.sendAttempts ?? 0 };
  const current = await ctx.store.deliveries.findById(deliveryId).lean();
  if (current?.state !== 'sending' || !current.claimedUntil) return null;
  const wait = Math.max(current.claimedUntil.getTime() - now.getTime(), 100);
  throw new RetryLaterError(wait, 'another process is sending this delivery');
}

async function handleSendError(
  ctx: Context,
  deliveryId: string,
  err: unknown,
  log: Context['log'],
): Promise<DeliverResult> {
  const now = ctx.now().getTime();
  if (err instanceof PermanentChatError) {
    await markDelivery(ctx, deliveryId, 'failed', err.message);
    log.error({ deliveryId, reason: err.message }, 'delivery failed');
    return 'failed';
  }
  if (err instanceof RateLimitedChatError) {
    // A 429 means nothing was posted, so the claim is let go at once.
    await ctx.store.deliveries.updateOne(
      { _id: deliveryId, state: 'sending' },
      { $set: { claimedUntil: new Date(now) } },
    );
    throw new RetryLaterError(err.retryAfterSeconds * 1000, err.message, { cause: err });
  }
  await ctx.store.deliveries.updateOne(
    { _id: deliveryId, state: 'sending' },
    { $set: { claimedUntil: new Date(now + SETTLE_MS), error: (err as Error).message } },
  );
  log.warn({ deliveryId, err: (err as Error).message }, 'send outcome unknown; will check');
  throw new RetryLaterError(SETTLE_MS, 'send outcome unknown', { cause: err });
}

async function markSent(ctx: Context, deliveryId: string, message: MessageRef): Promise<void> {
  // The message is kept even if a click already marked the delivery answered.
  await ctx.store.deliveries.updateOne(
    { _id: deliveryId },
    { $set: { message, platform: message.platform, sentAt: ctx.now(), claimedUntil: null } },
  );
  await ctx.store.deliveries.updateOne(
    { _id: deliveryId, state: 'sending' },
    { $set: { state: 'sent', error: null } },
  );
}

async function markDelivery(
  ctx: Context,
  deliveryId: string,
  state: 'unreachable' | 'expired' | 'failed' | 'paused',
  error: string,
): Promise<void> {
  await ctx.store.deliveries.updateOne(
    { _id: deliveryId, state: { $in: SENDABLE } },
    { $set: { state, error, claimedUntil: null } },
  );
}

/** Redraws a sent pulse message from what is stored now. */
export async function refreshMessage(ctx: Context, deliveryId: string): Promise<boolean> {
  const delivery = await ctx.store.deliveries.findById(deliveryId).lean();
  const message = delivery?.message as MessageRef | null | undefined;
  if (!delivery || !message) return false;
  const port = ctx.chat[message.platform];
  const view = await pulseView(ctx, delivery);
  if (!port || !view) return false;
  await port.updatePulse(message, view);
  return true;
}
