import {
  PermanentChatError,
  RateLimitedChatError,
  type ChatAddress,
  type ChatPort,
  type MessageRef,
  type PulseView,
} from '../../adapters/chat-port.js';
import type { Scale } from '../domain/dimension.js';
import { questionFor } from '../domain/questions.js';
import type { DeliveryDoc, EngagementDoc, PersonDoc, PulseDoc } from '../store/store.js';
import type { Context } from './context.js';
import { answerIdOf } from './answers.js';
import { askedFields, recordAsked } from './asked-history.js';
import { isPersonPaused } from './pause.js';
import { chatAddress, personOfDelivery } from './people.js';
import { scheduleReminders } from './reminders.js';
import { RetryLaterError } from './retry-later.js';
import { recentEngagement, recentPulse } from './recent-reads.js';
import { sendClaims, type StopReason } from './send-claims.js';

type Delivery = DeliveryDoc;

type EngagementRecord = Pick<EngagementDoc, 'name' | 'client' | 'provider'>;
type PulseRecord = Pick<PulseDoc, 'closesAt' | 'closedAt'>;

/**
 * Builds what one person sees of their pulse, with the answers they gave so far. The caller
 * may hand over the engagement and the pulse it has read already.
 */
export async function pulseView(
  ctx: Context,
  delivery: Delivery,
  loaded: { engagement?: EngagementRecord | null; pulse?: PulseRecord | null } = {},
): Promise<PulseView | null> {
  // Before the first send there is no message to click, so there are no answers to read.
  const unsent = delivery.state === 'scheduled' && !delivery.sendAttempts;
  const [engagement, pulse, answers] = await Promise.all([
    loaded.engagement ?? ctx.store.engagements.findById(delivery.engagementId).lean(),
    loaded.pulse ?? ctx.store.pulses.findById(delivery.pulseId).lean(),
    unsent ? [] : answersOf(ctx, delivery),
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

/** The person's answers to the delivery's questions, each read by its key. */
async function answersOf(ctx: Context, delivery: Delivery) {
  const { pulseId, personId } = delivery;
  const found = await Promise.all(
    delivery.questions.map((q) =>
      q.id
        ? ctx.store.answers
            .findById(answerIdOf({ pulseId, questionId: q.id, personId }))
            .lean()
            .exec()
        : Promise.resolve(null),
    ),
  );
  return found.flatMap((a) => (a ? [a] : []));
}

export type DeliverResult = 'sent' | 'skipped' | 'unreachable' | 'failed' | 'paused';

/** How long a claim to send holds when the port does not say how long a send can take. */
export const CLAIM_MS = 60_000;

/**
 * After a send whose outcome is unknown (a timeout, a 500), how long to wait before looking
 * for the message: long enough for a slow post still in flight to land.
 */
const SETTLE_MS = 3_000;

/** States a delivery may be sent from; `sending` (an unknown outcome) once it settled. */
export const SENDABLE: readonly string[] = ['scheduled', 'sending'];

/**
 * Sends one delivery, at most once. The delivery is first claimed in Redis (with a lease), so
 * two workers never post it together; a claim after an earlier one asks the platform whether
 * the message went out already (a timed-out post may have landed) before posting. A 429 waits
 * its Retry-After; a permanent platform error marks the delivery failed; any other error
 * marks it `sending` for a few seconds, so the retry looks for the post once it has settled.
 * The database is only read and written by `_id`, which FerretDB answers from its index.
 */
export async function deliver(ctx: Context, deliveryId: string): Promise<DeliverResult> {
  // The driver's own calls on the hot path: the same query as the model's, with less work.
  const delivery = (await ctx.store.deliveries.collection.findOne({
    _id: deliveryId as never,
  })) as Delivery | null;
  if (!delivery || !SENDABLE.includes(delivery.state)) return 'skipped';
  const now = ctx.now();
  if (delivery.state === 'sending' && delivery.claimedUntil && delivery.claimedUntil > now) {
    const wait = Math.max(delivery.claimedUntil.getTime() - now.getTime(), 100);
    throw new RetryLaterError(wait, 'an earlier send is settling');
  }
  const log = ctx.log.child({ engagementId: delivery.engagementId, pulseId: delivery.pulseId });
  const [engagement, person, pulse] = await Promise.all([
    recentEngagement(ctx, delivery.engagementId),
    personOf(ctx, delivery),
    recentPulse(ctx, delivery.pulseId),
  ]);
  const ready = await readyToSend(ctx, delivery, { engagement, pulse, person }, log);
  if (typeof ready === 'string') return ready;
  const { address, port, view } = ready;
  const claims = sendClaims(ctx);
  const claim = await claims.claim(deliveryId, now, port.sendLeaseMs ?? CLAIM_MS, delivery);
  if (claim.kind === 'done') return 'skipped';
  if (claim.kind === 'stopped') return stopDelivery(ctx, delivery, claim.reason);
  if (claim.kind === 'busy') {
    const wait = Math.max(claim.untilMs - now.getTime(), 100);
    throw new RetryLaterError(wait, 'another process is sending this delivery');
  }
  // A delivery left `sending` was tried before, even if Redis lost the count of its claims.
  const triedBefore = claim.earlierAttempts > 0 || delivery.state === 'sending';
  let message: MessageRef | null = null;
  try {
    if (triedBefore && port.findPulse) {
      message = await port.findPulse(address, deliveryId);
      if (message) log.info({ deliveryId }, 'pulse found already posted');
    }
    message ??= await port.sendPulse(address, view);
  } catch (err) {
    return handleSendError(ctx, delivery, err, log);
  }
  // A first claim posted the only message there is, so nobody can have clicked it before
  // the state read above: only a later claim reads the state again.
  await markSent(ctx, deliveryId, message, triedBefore ? null : delivery.state);
  if (await claims.finish(deliveryId, askedFields(ctx, delivery) ?? undefined)) {
    await keepAnswered(ctx, deliveryId);
  }
  log.info({ deliveryId, platform: port.platform }, 'pulse delivered');
  if (engagement && pulse && person) {
    await scheduleReminders(ctx, deliveryId, { sentAt: ctx.now(), engagement, pulse, person });
  }
  return 'sent';
}

/**
 * What a delivery read as sendable still needs checked before its claim, on what was read
 * with it: the pause of its engagement or person, the person still in the engagement, an
 * address on a platform that is on, the pulse still open. Returns the outcome when one of
 * them ends the delivery, else where and what to post.
 */
export async function readyToSend(
  ctx: Context,
  delivery: Delivery,
  loaded: {
    engagement: (EngagementRecord & Pick<EngagementDoc, 'paused'>) | null | undefined;
    pulse: PulseRecord | null | undefined;
    person: PersonDoc | null | undefined;
  },
  log: Context['log'],
): Promise<DeliverResult | { address: ChatAddress; port: ChatPort; view: PulseView }> {
  const { engagement, pulse, person } = loaded;
  if (engagement?.paused || (person && isPersonPaused(person, ctx.now()))) {
    await markDelivery(ctx, delivery, 'paused', 'paused before sending');
    return 'paused';
  }
  if (person && !person.active) {
    await markDelivery(ctx, delivery, 'unreachable', 'no longer in the engagement');
    return 'unreachable';
  }
  const address = person ? chatAddress(person) : null;
  const port = address ? ctx.chat[address.platform] : undefined;
  if (!address || !port) {
    await markDelivery(ctx, delivery, 'unreachable', address ? 'platform is off' : 'no address');
    log.warn({ deliveryId: delivery._id }, 'delivery unreachable');
    return 'unreachable';
  }
  const view = await pulseView(ctx, delivery, { engagement, pulse });
  if (!view || view.status === 'closed') {
    await markDelivery(ctx, delivery, 'expired', 'pulse closed before sending');
    return 'skipped';
  }
  return { address, port, view };
}

async function personOf(ctx: Context, delivery: Delivery) {
  const person = delivery.personRef
    ? ((await ctx.store.people.collection.findOne({ _id: delivery.personRef })) as PersonDoc | null)
    : null;
  return person ?? personOfDelivery(ctx.store, delivery);
}

/** Puts back `answered` on a delivery a click reached while its send was being recorded. */
export async function keepAnswered(ctx: Context, deliveryId: string): Promise<void> {
  await ctx.store.deliveries.collection.updateOne(
    { _id: deliveryId as never },
    { $set: { state: 'answered', updatedAt: new Date() } },
  );
}

/**
 * Settles a failed send: a permanent platform error marks the delivery failed; a 429 lets the
 * claim go and throws {@link RetryLaterError} with its Retry-After; anything else may still
 * have posted, so the delivery waits as `sending` and the error asks to look after `SETTLE_MS`.
 */
export async function handleSendError(
  ctx: Context,
  delivery: Delivery,
  err: unknown,
  log: Context['log'],
): Promise<DeliverResult> {
  const deliveryId = delivery._id;
  const claims = sendClaims(ctx);
  if (err instanceof PermanentChatError) {
    await markDelivery(ctx, delivery, 'failed', err.message);
    await claims.finish(deliveryId);
    log.error({ deliveryId, reason: err.message }, 'delivery failed');
    return 'failed';
  }
  if (err instanceof RateLimitedChatError) {
    // A 429 means nothing was posted, so the claim is let go at once.
    await claims.release(deliveryId, true);
    throw new RetryLaterError(err.retryAfterSeconds * 1000, err.message, { cause: err });
  }
  // The post may still land: the delivery waits as `sending` until it has settled, and the
  // claim is let go, since that wait is what keeps a retry from posting early.
  const settled = new Date(ctx.now().getTime() + SETTLE_MS);
  await ctx.store.deliveries.updateOne(
    { _id: deliveryId },
    { $set: { state: 'sending', claimedUntil: settled, error: (err as Error).message } },
  );
  await recordAsked(ctx, delivery);
  await claims.release(deliveryId);
  log.warn({ deliveryId, err: (err as Error).message }, 'send outcome unknown; will check');
  throw new RetryLaterError(SETTLE_MS, 'send outcome unknown', { cause: err });
}

/**
 * Stores the message of a sent delivery, and `sent` unless a click, a pause or the close has
 * moved the delivery on meanwhile (the message is kept then too). The state is `known`, or
 * read first rather than put in the update's filter, which FerretDB would answer by a scan.
 */
async function markSent(
  ctx: Context,
  deliveryId: string,
  message: MessageRef,
  known: string | null,
): Promise<void> {
  const current =
    known === null
      ? await ctx.store.deliveries.findById(deliveryId).select({ state: 1 }).lean()
      : { state: known };
  const stillSending = current !== null && SENDABLE.includes(current.state);
  await ctx.store.deliveries.collection.updateOne(
    { _id: deliveryId as never },
    {
      $set: {
        message,
        platform: message.platform,
        sentAt: ctx.now(),
        claimedUntil: null,
        updatedAt: new Date(),
        ...(stillSending ? { state: 'sent', error: null } : {}),
      },
    },
  );
}

/** Ends a delivery whose claim met a pause or a close set since the delivery was read. */
export async function stopDelivery(
  ctx: Context,
  delivery: Delivery,
  reason: StopReason,
): Promise<'paused' | 'skipped'> {
  if (reason === 'pulse closed') {
    await markDelivery(ctx, delivery, 'expired', 'pulse closed before sending');
    return 'skipped';
  }
  await markDelivery(ctx, delivery, 'paused', `${reason} before sending`);
  return 'paused';
}

/** Ends a delivery that is still sendable (read by `_id`, then written by `_id`). */
async function markDelivery(
  ctx: Context,
  delivery: Delivery,
  state: 'unreachable' | 'expired' | 'failed' | 'paused',
  error: string,
): Promise<void> {
  const current = await ctx.store.deliveries.findById(delivery._id).select({ state: 1 }).lean();
  if (!current || !SENDABLE.includes(current.state)) return;
  await ctx.store.deliveries.updateOne(
    { _id: delivery._id },
    { $set: { state, error, claimedUntil: null } },
  );
  // Deliveries that ended unsent count as asked, as they did when history was read from them.
  if (state !== 'paused') await recordAsked(ctx, delivery);
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
