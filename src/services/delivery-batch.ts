import { Mutex, Semaphore } from 'async-mutex';
import DataLoader from 'dataloader';
import { ObjectId } from 'mongodb';
import {
  RateLimitedChatError,
  type ChatAddress,
  type ChatPort,
  type MessageRef,
  type PulseView,
} from '../../adapters/chat-port.js';
import type { DeliveryDoc, EngagementDoc, PersonDoc, PulseDoc } from '../store/store.js';
import { askedFields } from './asked-history.js';
import type { Context } from './context.js';
import {
  CLAIM_MS,
  deliver,
  handleSendError,
  keepAnswered,
  readyToSend,
  SENDABLE,
  stopDelivery,
  type DeliverResult,
} from './deliveries.js';
import { isPersonPaused } from './pause.js';
import { plannedPeople, recentEngagement, recentPulse } from './recent-reads.js';
import { reminderJobs } from './reminders.js';
import { RetryLaterError } from './retry-later.js';
import { sendClaims } from './send-claims.js';

/**
 * Sends the deliveries of one pulse that fall due together, as one job: a handful of reads and
 * writes for the whole batch instead of several for each delivery, which is what a send costs
 * on the database. Each delivery is still sent at most once, as in `deliver`: it is claimed in
 * Redis right before its post, and one that was tried before (its outcome unknown, its claim
 * lost) goes through `deliver`, which looks for the earlier post first. A delivery that has to
 * wait (a 429's Retry-After, another process's claim, a post settling) makes the whole job run
 * again after the shortest such wait; what was sent by then is skipped on that run. The people
 * come from planning's read of them when that was a moment ago in this process, else from one
 * read for the batch.
 */

/** Posts in flight at once in one process, over every batch it runs. */
const POSTS_AT_ONCE = 24;

/** How long sent deliveries gather before their state is written together, in milliseconds. */
const RECORD_GATHER_MS = 15;

/** Sent deliveries written in one round trip at most. */
const RECORD_MAX = 100;

export type BatchOutcome = DeliverResult | 'later';

type Engagement = EngagementDoc | null;
type Pulse = PulseDoc | null;
type PersonRecord = PersonDoc & { _id: ObjectId };

/** A delivery posted just now, waiting to be recorded as sent. */
interface Posted {
  delivery: DeliveryDoc;
  message: MessageRef;
  sentAt: Date;
  engagement: Engagement;
  pulse: Pulse;
  person: PersonDoc;
}

interface PerContext {
  posts: Semaphore;
  recorder: DataLoader<Posted, true>;
  /** Per platform, the time (ms, by `ctx.now`) until which a 429 asked for no posts. */
  quietUntil: Map<string, number>;
}

const byContext = new WeakMap<Context, PerContext>();

function perContext(ctx: Context): PerContext {
  let found = byContext.get(ctx);
  if (!found) {
    // One write of sent deliveries at a time: the next gathers while one is written, so
    // writes grow with the rate instead of contending for SQLite's one writer.
    const writing = new Mutex();
    found = {
      posts: new Semaphore(POSTS_AT_ONCE),
      quietUntil: new Map(),
      recorder: new DataLoader((items) => writing.runExclusive(() => recordSent(ctx, items)), {
        cache: false,
        maxBatchSize: RECORD_MAX,
        batchScheduleFn: (dispatch) => {
          void writing.waitForUnlock().then(() => setTimeout(dispatch, RECORD_GATHER_MS));
        },
      }),
    };
    byContext.set(ctx, found);
  }
  return found;
}

/**
 * Queues the posted deliveries' reminders, stores them as sent, and marks their claims done
 * (and their questions asked): one round trip each. Reminders go first: a retry after a failed
 * record skips deliveries already `sent`, and a reminder queued for a delivery not recorded yet
 * checks its state when it runs. The state read before the post is known to be `scheduled`; a
 * click since then is caught by the claim ({@link keepAnswered}).
 */
async function recordSent(ctx: Context, items: readonly Posted[]): Promise<true[]> {
  await ctx.jobs.enqueueMany(
    'remind-delivery',
    items.flatMap(({ delivery, sentAt, engagement, pulse, person }) =>
      engagement && pulse
        ? reminderJobs(ctx, delivery._id, { sentAt, engagement, pulse, person })
        : [],
    ),
  );
  await ctx.store.deliveries.collection.bulkWrite(
    items.map(({ delivery, message, sentAt }) => ({
      updateOne: {
        filter: { _id: delivery._id as never },
        update: {
          $set: {
            message,
            platform: message.platform,
            sentAt,
            claimedUntil: null,
            updatedAt: new Date(),
            state: 'sent',
            error: null,
          },
        },
      },
    })),
    { ordered: false },
  );
  const answered = await sendClaims(ctx).finishAll(
    items.map(({ delivery }) => ({
      deliveryId: delivery._id,
      alsoKeep: askedFields(ctx, delivery) ?? undefined,
    })),
  );
  await Promise.all(
    items.flatMap((item, i) => (answered[i] ? [keepAnswered(ctx, item.delivery._id)] : [])),
  );
  return items.map(() => true);
}

/** What one run of a batch shares: what it read, and how long its waiting deliveries wait. */
class BatchRun {
  /** The shortest wait a delivery asked for. */
  private waitMs = Infinity;
  /** The longest Retry-After of a 429: nothing more of the batch is posted before it passes. */
  private limitedMs = 0;

  constructor(
    readonly ctx: Context,
    readonly engagement: Engagement,
    readonly pulse: Pulse,
    /** People as planning read them a moment ago, when it did in this process. */
    readonly planned: Map<string, PersonDoc> | undefined,
    /** People read for this run, by `_id`. */
    readonly read: Map<string, PersonDoc>,
    readonly log: Context['log'],
  ) {}

  get limited(): boolean {
    return this.limitedMs > 0;
  }

  later(ms: number): 'later' {
    this.waitMs = Math.min(this.waitMs, Math.max(ms, 100));
    return 'later';
  }

  rateLimited(ms: number): 'later' {
    this.limitedMs = Math.max(this.limitedMs, ms);
    return this.later(ms);
  }

  /** Milliseconds until the batch runs again, or undefined when nothing waits. */
  wait(): number | undefined {
    return this.waitMs === Infinity ? undefined : Math.max(this.waitMs, this.limitedMs);
  }
}

/**
 * Sends the deliveries `deliveryIds` of pulse `pulseId` that are still to be sent, and
 * returns what became of each, by outcome. Throws {@link RetryLaterError} when some have to
 * wait, after the others are sent.
 */
export async function deliverBatch(
  ctx: Context,
  pulseId: string,
  deliveryIds: string[],
): Promise<Partial<Record<BatchOutcome, number>>> {
  // The driver's own calls on the hot path: FerretDB answers `_id` $in from its index.
  const deliveries = await ctx.store.deliveries.collection
    .find<DeliveryDoc>({ _id: { $in: deliveryIds as never[] } })
    .toArray();
  const open = deliveries.filter((d) => SENDABLE.includes(d.state));
  const first = open[0];
  if (!first) return { skipped: deliveryIds.length };
  const planned = await plannedPeople(ctx, first.engagementId);
  const refs = [...new Set(open.flatMap((d) => (d.personRef ? [String(d.personRef)] : [])))];
  const unread = refs.filter((r) => !planned?.has(r)).map((r) => new ObjectId(r));
  const [engagement, pulse, read] = await Promise.all([
    recentEngagement(ctx, first.engagementId),
    recentPulse(ctx, pulseId),
    unread.length === 0
      ? []
      : ctx.store.people.collection.find<PersonRecord>({ _id: { $in: unread } }).toArray(),
  ]);
  const readNow = new Map<string, PersonDoc>(read.map((p) => [String(p._id), p]));
  const log = ctx.log.child({ engagementId: first.engagementId, pulseId });
  const run = new BatchRun(ctx, engagement, pulse, planned, readNow, log);

  const settled = await Promise.allSettled(open.map((d) => sendOne(run, d)));
  const counts: Partial<Record<BatchOutcome, number>> = {};
  const count = (o: BatchOutcome) => (counts[o] = (counts[o] ?? 0) + 1);
  const failure = settled.find((s) => s.status === 'rejected');
  for (const s of settled) if (s.status === 'fulfilled') count(s.value);
  for (let i = open.length; i < deliveryIds.length; i++) count('skipped');
  log.info({ deliveries: deliveryIds.length, ...counts }, 'pulse batch delivered');
  const wait = run.wait();
  // A 429's Retry-After outlasts a plain retry's backoff: the failed deliveries wait with it.
  if (failure && run.limited && wait !== undefined) {
    throw new RetryLaterError(wait, 'rate limited; a delivery also failed', {
      cause: failure.reason,
    });
  }
  if (failure) throw failure.reason;
  if (wait !== undefined) {
    throw new RetryLaterError(wait, `${counts.later ?? 0} deliveries of the batch wait`);
  }
  return counts;
}

/** Sends one delivery of a batch; see the module comment. */
async function sendOne(run: BatchRun, delivery: DeliveryDoc): Promise<BatchOutcome> {
  const { ctx, engagement, pulse } = run;
  const ref = delivery.personRef ? String(delivery.personRef) : undefined;
  const fromPlanning = ref === undefined ? undefined : run.planned?.get(ref);
  const person = fromPlanning ?? (ref === undefined ? undefined : run.read.get(ref));
  // Tried before, or stored without its person's key: the one-by-one path handles those.
  if (delivery.state !== 'scheduled' || delivery.sendAttempts || !person) {
    return viaDeliver(run, delivery._id);
  }
  const now = ctx.now();
  if (delivery.dueAt.getTime() > now.getTime() + 1_000) {
    return run.later(delivery.dueAt.getTime() - now.getTime());
  }
  // Planning's copy of the person may predate a resume: the one-by-one path reads them again.
  if (fromPlanning && isPersonPaused(fromPlanning, now)) {
    return viaDeliver(run, delivery._id);
  }
  const ready = await readyToSend(ctx, delivery, { engagement, pulse, person }, run.log);
  if (typeof ready === 'string') return ready;
  const { address, port, view } = ready;
  const { posts, recorder } = perContext(ctx);
  const posted = await posts.runExclusive(() => post(run, delivery, port, address, view));
  if (posted === 'again') return viaDeliver(run, delivery._id);
  if (typeof posted === 'string') return posted;
  await recorder.load({ delivery, message: posted, sentAt: ctx.now(), engagement, pulse, person });
  run.log.debug({ deliveryId: delivery._id, platform: port.platform }, 'pulse delivered');
  return 'sent';
}

/** Claims and posts one delivery; `again` when it was claimed before and needs `deliver`. */
async function post(
  run: BatchRun,
  delivery: DeliveryDoc,
  port: ChatPort,
  address: ChatAddress,
  view: PulseView,
): Promise<MessageRef | BatchOutcome | 'again'> {
  const { ctx } = run;
  const now = ctx.now();
  // A 429 in this process asked the platform's posts to wait: the rest of every batch waits.
  const { quietUntil } = perContext(ctx);
  const quietMs = (quietUntil.get(port.platform) ?? 0) - now.getTime();
  if (quietMs > 0) return run.rateLimited(quietMs);
  const claims = sendClaims(ctx);
  const claim = await claims.claim(delivery._id, now, port.sendLeaseMs ?? CLAIM_MS, delivery);
  if (claim.kind === 'done') return 'skipped';
  if (claim.kind === 'stopped') return stopDelivery(ctx, delivery, claim.reason);
  if (claim.kind === 'busy') return run.later(claim.untilMs - now.getTime());
  if (claim.earlierAttempts > 0) {
    // Taken back, so that `deliver` counts the earlier attempt and looks for its post.
    await claims.release(delivery._id, true);
    return 'again';
  }
  try {
    return await port.sendPulse(address, view);
  } catch (err) {
    if (err instanceof RateLimitedChatError) {
      const until = now.getTime() + err.retryAfterSeconds * 1000;
      quietUntil.set(port.platform, Math.max(quietUntil.get(port.platform) ?? 0, until));
    }
    return waitOrThrow(run, () => handleSendError(ctx, delivery, err, run.log));
  }
}

/** Sends one delivery by `deliver`; its request to wait becomes the batch's. */
function viaDeliver(run: BatchRun, deliveryId: string): Promise<BatchOutcome> {
  return waitOrThrow(run, () => deliver(run.ctx, deliveryId));
}

/** Runs one delivery's step; a {@link RetryLaterError} it throws becomes a wait of the batch. */
async function waitOrThrow(
  run: BatchRun,
  step: () => Promise<DeliverResult>,
): Promise<BatchOutcome> {
  try {
    return await step();
  } catch (err) {
    if (!(err instanceof RetryLaterError)) throw err;
    const limited = err.cause instanceof RateLimitedChatError;
    return limited ? run.rateLimited(err.delayMs) : run.later(err.delayMs);
  }
}
