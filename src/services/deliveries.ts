import { PermanentChatError, type MessageRef, type PulseView } from '../../adapters/chat-port.js';
import type { Scale } from '../domain/dimension.js';
import { questionFor } from '../domain/questions.js';
import type { DeliveryDoc } from '../store/store.js';
import type { Context } from './context.js';
import { chatAddress } from './people.js';

type Delivery = DeliveryDoc;

/** Builds what one person sees of their pulse, with the answers they gave so far. */
export async function pulseView(ctx: Context, delivery: Delivery): Promise<PulseView | null> {
  const [engagement, pulse, answers] = await Promise.all([
    ctx.store.engagements.findById(delivery.engagementId).lean(),
    ctx.store.pulses.findById(delivery.pulseId).lean(),
    ctx.store.answers.find({ pulseId: delivery.pulseId, personId: delivery.personId }).lean(),
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

export type DeliverResult = 'sent' | 'skipped' | 'unreachable' | 'failed';

/**
 * Sends one delivery, at most once: a delivery that is no longer `scheduled` is skipped.
 * A permanent platform error marks it failed; any other error is thrown so the job retries.
 */
export async function deliver(ctx: Context, deliveryId: string): Promise<DeliverResult> {
  const delivery = await ctx.store.deliveries.findById(deliveryId).lean();
  if (!delivery || delivery.state !== 'scheduled') return 'skipped';
  const log = ctx.log.child({ engagementId: delivery.engagementId, pulseId: delivery.pulseId });
  const person = await ctx.store.people
    .findOne({ engagementId: delivery.engagementId, personId: delivery.personId })
    .lean();
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
  let message: MessageRef;
  try {
    message = await port.sendPulse(address, view);
  } catch (err) {
    if (!(err instanceof PermanentChatError)) throw err;
    await markDelivery(ctx, deliveryId, 'failed', err.message);
    log.error({ deliveryId, platform: port.platform, reason: err.message }, 'delivery failed');
    return 'failed';
  }
  await ctx.store.deliveries.updateOne(
    { _id: deliveryId, state: 'scheduled' },
    { $set: { state: 'sent', sentAt: ctx.now(), message, platform: port.platform } },
  );
  log.info({ deliveryId, platform: port.platform }, 'pulse delivered');
  return 'sent';
}

async function markDelivery(
  ctx: Context,
  deliveryId: string,
  state: 'unreachable' | 'expired' | 'failed',
  error: string,
): Promise<void> {
  await ctx.store.deliveries.updateOne(
    { _id: deliveryId, state: 'scheduled' },
    { $set: { state, error } },
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
