import { jobId } from '../../jobs/catalog.js';
import { isValidScore, type Dimension, type Scale } from '../domain/dimension.js';
import { isDuplicateKey } from '../store/store.js';
import type { Context } from './context.js';
import {
  answerCollection,
  applyAnswerChange,
  engagementTimezone,
  reconcileAnswer,
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

/**
 * Stores one click. The last click on a question counts: a click on another score replaces the
 * answer, and the same click twice (a retry, a double click) leaves one answer. Clicks after
 * the pulse closed, on someone else's pulse, or with an impossible score store nothing.
 */
export async function recordClick(ctx: Context, click: Click): Promise<ClickResult> {
  const delivery = await ctx.store.deliveries.findById(click.deliveryId).lean();
  if (!delivery) return { kind: 'unknown-delivery' };
  const person = await ctx.store.people
    .findOne({ engagementId: delivery.engagementId, personId: delivery.personId })
    .lean();
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
  await ctx.store.deliveries.updateOne(
    { _id: delivery._id, state: { $in: ['scheduled', 'sending', 'sent'] } },
    { $set: { state: 'answered', answeredAt: now } },
  );
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

/**
 * Writes an answer keyed by pulse, question and person, keeps the week roll-ups in step, and
 * returns the score it replaced (null when it is the first; the same score for a repeated
 * identical click, which changes nothing, not even the answer time).
 *
 * Crash safety: the answer is written first, then the roll-ups, each change of a roll-up a
 * compare-and-set on that answer's entry in it (src/services/rollups.ts), so a retried or
 * concurrent change never counts twice. A crash between the two writes leaves the roll-ups
 * one answer behind, never ahead; the next click on that question reconciles it, and
 * `rapport scores rebuild ENGAGEMENT` recomputes every roll-up from the stored answers.
 */
export async function upsertAnswer(ctx: Context, input: AnswerInput): Promise<number | null> {
  const store = ctx.store;
  const id = answerIdOf(input);
  const timezone = await engagementTimezone(store, input.engagementId);
  const after = { ...input, id };
  const now = ctx.now();
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await insertAnswer(ctx, id, input)) {
      await applyAnswerChange(store, timezone, null, after);
      return null;
    }
    const stored = await answerCollection(store).findOne({ _id: id });
    if (!stored) continue;
    if (stored.score === input.score) {
      // The same score again: nothing changes, but make sure the roll-ups hold it.
      await reconcileAnswer(store, timezone, after, []);
      return stored.score;
    }
    // A compare-and-set on the score read, so two different clicks never both replace it.
    const before = await answerCollection(store).findOneAndUpdate(
      { _id: id, score: stored.score, answeredAt: stored.answeredAt },
      {
        $set: {
          score: input.score,
          answeredAt: input.answeredAt,
          source: input.source,
          updatedAt: now,
        },
      },
      { returnDocument: 'before' },
    );
    if (!before) continue;
    await applyAnswerChange(store, timezone, { ...before, id }, after);
    return before.score;
  }
  throw new Error(`answer ${id} kept changing while it was written`);
}
