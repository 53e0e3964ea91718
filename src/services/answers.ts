import { Mutex } from 'async-mutex';
import { jobId } from '../../jobs/catalog.js';
import { weekKey } from '../domain/window.js';
import { isValidScore, type Dimension, type Scale } from '../domain/dimension.js';
import { isDuplicateKey } from '../store/store.js';
import type { Context } from './context.js';
import { personOfDelivery } from './people.js';
import { withLock } from './locks.js';
import { PendingRollup } from './rollup-marks.js';
import { whileWritingAnswer } from './rollup-rebuild.js';
import { sendClaims } from './send-claims.js';
import {
  answerCollection,
  applyAnswerChange,
  countedOf,
  engagementTimezone,
  type AnswerRow,
} from './rollups.js';

/** A one-click answer as an adapter hands it over. */
export interface Click {
  deliveryId: string;
  questionId: string;
  score: number;
  /** The person as the platform knows them. */
  identity:
    | { platform: 'slack'; team: string; user: string }
    | { platform: 'teams'; tenant: string; user: string };
}

export type ClickResult =
  | { kind: 'recorded'; deliveryId: string; previous: number | null }
  | { kind: 'closed'; deliveryId: string }
  | { kind: 'unknown-delivery' }
  | { kind: 'not-yours' }
  | { kind: 'invalid-score' };

function identityMatches(
  person: {
    slack?: { team?: string | null; user?: string | null } | null;
    teams?: { tenant?: string | null; user?: string | null } | null;
  },
  identity: Click['identity'],
): boolean {
  if (identity.platform === 'slack') {
    return person.slack?.team === identity.team && person.slack.user === identity.user;
  }
  return person.teams?.tenant === identity.tenant && person.teams.user === identity.user;
}

/** Delivery states a first answer moves to `answered`. */
const ANSWERABLE: string[] = ['scheduled', 'sending', 'sent'];

/**
 * Stores one click. The last click on a question counts: a click on another score replaces the
 * answer, and the same click twice (a retry, a double click) leaves one answer. Clicks after
 * the pulse closed, on someone else's pulse, or with an impossible score store nothing.
 */
export async function recordClick(ctx: Context, click: Click): Promise<ClickResult> {
  const delivery = await ctx.store.deliveries.findById(click.deliveryId).lean();
  if (!delivery) return { kind: 'unknown-delivery' };
  const person = await personOfDelivery(ctx.store, delivery);
  if (!person || !person.active || !identityMatches(person, click.identity)) {
    return { kind: 'not-yours' };
  }
  const question = delivery.questions.find((q) => q.id === click.questionId);
  if (!question || !isValidScore(question.scale as Scale, click.score)) {
    return { kind: 'invalid-score' };
  }
  const pulse = await ctx.store.pulses.findById(delivery.pulseId).lean();
  const now = ctx.now();
  if (!pulse || pulse.closedAt !== null || now >= pulse.closesAt) {
    return { kind: 'closed', deliveryId: delivery._id };
  }
  const previous = await upsertAnswer(ctx, {
    engagementId: delivery.engagementId,
    pulseId: delivery.pulseId,
    questionId: click.questionId,
    personId: delivery.personId,
    side: delivery.side,
    dimension: question.dimension as Dimension,
    scale: question.scale as Scale,
    score: click.score,
    answeredAt: now,
    source: click.identity.platform,
  });
  // A sender may not have stored `sent` yet; told first, it keeps `answered` (send-claims.ts).
  if (delivery.state === 'scheduled' || delivery.state === 'sending') {
    await sendClaims(ctx).markAnswered(delivery._id);
  }
  // Read above, written by `_id` alone (any other filter makes FerretDB scan the deliveries).
  if (ANSWERABLE.includes(delivery.state)) {
    await ctx.store.deliveries.updateOne(
      { _id: delivery._id },
      { $set: { state: 'answered', answeredAt: now } },
    );
  }
  try {
    await ctx.jobs.enqueue(
      'refresh-message',
      { deliveryId: delivery._id },
      { jobId: jobId('refresh', delivery._id, String(now.getTime()), String(click.score)) },
    );
  } catch (err) {
    // The answer is stored; only the redraw of the message waits for the next click or close.
    ctx.log.warn({ deliveryId: delivery._id, err: (err as Error).message }, 'refresh not queued');
  }
  ctx.log.info(
    { engagementId: delivery.engagementId, pulseId: delivery.pulseId, replaced: previous !== null },
    'answer recorded',
  );
  return { kind: 'recorded', deliveryId: delivery._id, previous };
}

export interface AnswerInput {
  engagementId: string;
  pulseId: string;
  questionId: string;
  personId: string;
  side: 'client' | 'provider';
  dimension: Dimension;
  scale: Scale;
  score: number;
  answeredAt: Date;
  source: 'slack' | 'teams' | 'import';
}

/** Inserts a new answer; false when one with that id is stored already. */
async function insertAnswer(ctx: Context, id: string, input: AnswerInput): Promise<boolean> {
  const now = ctx.now();
  try {
    await answerCollection(ctx.store).insertOne({
      _id: id,
      ...input,
      createdAt: now,
      updatedAt: now,
    });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/** The id of an answer: one per pulse, question and person. */
export function answerIdOf(a: Pick<AnswerInput, 'pulseId' | 'questionId' | 'personId'>): string {
  return `${a.pulseId}--${a.questionId}--${a.personId}`;
}

/** Per answer id, so that two writes of one answer in this process go one after the other. */
const answerLocks = new Map<string, { mutex: Mutex; users: number }>();

async function withAnswerLock<T>(id: string, task: () => Promise<T>): Promise<T> {
  let entry = answerLocks.get(id);
  if (!entry) answerLocks.set(id, (entry = { mutex: new Mutex(), users: 0 }));
  entry.users += 1;
  try {
    return await entry.mutex.runExclusive(task);
  } finally {
    entry.users -= 1;
    if (entry.users === 0) answerLocks.delete(id);
  }
}

/**
 * Writes an answer keyed by pulse, question and person, keeps the roll-ups in step, and
 * returns the score it replaced (null when it is the first; the same score for a repeated
 * identical click, which changes nothing, not even the answer time).
 *
 * The roll-up change is the difference between the answer as it was stored before this write
 * and as it is after, so a retried or repeated click adds nothing. Writes of one answer go one
 * at a time: in this process by a lock per answer, across processes by a Redis lock when an
 * answer is replaced. The change is queued, not awaited: it is written within 250 ms, merged
 * with others, and this process's score reads wait for it (rollupsSettled).
 *
 * Crash safety: a mark in Redis is set with the answer's write and cleared once the roll-ups
 * hold the change. If Redis cannot take the mark, the answer is not kept. A process that
 * stops in between, or a roll-up write that fails, leaves the mark, and `recoverRollups`
 * (run by the worker every 10 minutes) recomputes the weeks it names from the stored answers.
 */
export async function upsertAnswer(ctx: Context, input: AnswerInput): Promise<number | null> {
  const id = answerIdOf(input);
  return withAnswerLock(id, () =>
    whileWritingAnswer(ctx.store, input.engagementId, () => writeAnswer(ctx, id, input)),
  );
}

async function writeAnswer(ctx: Context, id: string, input: AnswerInput): Promise<number | null> {
  const store = ctx.store;
  const timezone = await engagementTimezone(store, input.engagementId);
  const after = countedOf(input, timezone);
  const { mark, inserted } = await markAndInsert(ctx, id, input, after.week);
  let before: AnswerRow | null = null;
  if (!inserted) {
    before = await withLock(ctx, `answer:${id}`, () => replaceAnswer(ctx, id, input, mark));
    if (!before) throw new Error(`answer ${id} was removed while it was written`);
    if (before.score === input.score) {
      await mark.close();
      return before.score;
    }
  }
  const from = before ? countedOf(before, timezone) : null;
  // The answer is stored and the mark set: the roll-ups follow behind, merged with the changes
  // of other answers arriving meanwhile. If they fail, the mark stays for recoverRollups.
  applyAnswerChange(ctx, id, from, after, () => mark.close()).catch((err: unknown) => {
    ctx.log.error(
      { engagementId: input.engagementId, err: (err as Error).message },
      'roll-ups or their mark not written; recovery will recompute the week',
    );
  });
  return before?.score ?? null;
}

/**
 * Sets the answer's mark and inserts the answer at the same time, so the write waits for one
 * round trip, not two. The mark is sent first; should Redis refuse it, an answer this call
 * inserted is taken out again before the error is thrown, so no answer is left without a mark.
 */
async function markAndInsert(
  ctx: Context,
  id: string,
  input: AnswerInput,
  week: string,
): Promise<{ mark: PendingRollup; inserted: boolean }> {
  const [marked, inserted] = await Promise.allSettled([
    PendingRollup.open(ctx, id, input.engagementId, week),
    insertAnswer(ctx, id, input),
  ]);
  if (marked.status === 'rejected') {
    if (inserted.status === 'fulfilled' && inserted.value) {
      await answerCollection(ctx.store).deleteOne({ _id: id });
    }
    throw marked.reason;
  }
  if (inserted.status === 'rejected') {
    await marked.value.close();
    throw inserted.reason;
  }
  return { mark: marked.value, inserted: inserted.value };
}

/**
 * Replaces a stored answer's score and time and returns it as it was before; an answer with
 * the same score is left as it is. Returns null if the answer is gone.
 */
async function replaceAnswer(
  ctx: Context,
  id: string,
  input: AnswerInput,
  mark: PendingRollup,
): Promise<AnswerRow | null> {
  const stored = await answerCollection(ctx.store).findOne({ _id: id });
  if (!stored || stored.score === input.score) return stored;
  const timezone = await engagementTimezone(ctx.store, input.engagementId);
  await mark.alsoTouches(weekKey(stored.answeredAt, timezone));
  return answerCollection(ctx.store).findOneAndUpdate(
    { _id: id },
    {
      $set: {
        score: input.score,
        answeredAt: input.answeredAt,
        source: input.source,
        updatedAt: ctx.now(),
      },
    },
    { returnDocument: 'before' },
  );
}
