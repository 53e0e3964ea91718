import { Semaphore } from 'async-mutex';
import pRetry, { AbortError } from 'p-retry';
import { weekKey } from '../domain/window.js';
import type { Store } from '../store/store.js';
import type { Context } from './context.js';
import { readMarks, RECOVERY_GRACE_MS } from './rollup-marks.js';
import {
  answerCollection,
  engagementTimezone,
  replaceWeeks,
  rollupCollection,
  rollupsSettled,
  rollupWriter,
  withRollupLock,
  weekAnswers,
  type AnswerRow,
} from './rollups.js';

/**
 * How many answers of one engagement a process writes at once; more wait their turn. A rebuild
 * takes all of them. (async-mutex's semaphore walks its capacity on every release, so it is
 * kept small.)
 */
const ALL = 64;

const gates = new WeakMap<Store, Map<string, Semaphore>>();

function gateOf(store: Store, engagementId: string): Semaphore {
  let byEngagement = gates.get(store);
  if (!byEngagement) gates.set(store, (byEngagement = new Map<string, Semaphore>()));
  let gate = byEngagement.get(engagementId);
  if (!gate) byEngagement.set(engagementId, (gate = new Semaphore(ALL)));
  return gate;
}

/**
 * Runs one answer write of an engagement: from its mark to its queued roll-up change. Many run
 * at once; a rebuild of the engagement's roll-ups in this process waits for them to finish,
 * and they wait for it.
 */
export function whileWritingAnswer<T>(
  store: Store,
  engagementId: string,
  task: () => Promise<T>,
): Promise<T> {
  return gateOf(store, engagementId).runExclusive(task, 1);
}

/** Thrown while answers of the weeks being rebuilt are still being written somewhere. */
class WritesUnderWay extends Error {}

/**
 * Replaces roll-ups of an engagement by what `read` finds in the stored answers. In this
 * process no answer write is under way meanwhile and every queued change is written first; in
 * all processes, no roll-up batch of the engagement is written meanwhile (a Redis lock). The
 * answers are read before the marks are: a young mark naming one of the weeks means another
 * process wrote an answer that this read may have counted and whose change is still to come,
 * so the rebuild lets go and tries again, for about ten seconds, then fails.
 */
async function rebuild(
  ctx: Context,
  engagementId: string,
  read: (timezone: string) => Promise<{ weeks: string[]; answers: AnswerRow[] }>,
): Promise<{ answers: number; weeks: number }> {
  const store = ctx.store;
  const timezone = await engagementTimezone(store, engagementId);
  const attempt = () =>
    gateOf(store, engagementId).runExclusive(async () => {
      await rollupsSettled(store, engagementId);
      const locked = (task: () => Promise<{ answers: number; weeks: number }>) =>
        rollupWriter(ctx).exclusive(engagementId, () => withRollupLock(ctx, engagementId, task));
      return locked(async () => {
        const { weeks, answers } = await read(timezone);
        const young = ctx.now().getTime() - RECOVERY_GRACE_MS;
        const busy = (await readMarks(ctx)).some(
          ({ mark }) =>
            mark.engagementId === engagementId &&
            mark.at > young &&
            mark.weeks.some((w) => weeks.includes(w)),
        );
        if (busy) throw new WritesUnderWay(`answers of ${engagementId} are being written`);
        await replaceWeeks(store, engagementId, weeks, answers, timezone);
        return { answers: answers.length, weeks: weeks.length };
      });
    }, ALL);
  return pRetry(
    () =>
      attempt().catch((err: unknown) => {
        throw err instanceof WritesUnderWay ? err : new AbortError(err as Error);
      }),
    { retries: 12, minTimeout: 100, factor: 1.5, maxTimeout: 1_000 },
  );
}

/**
 * Recomputes the roll-ups of some weeks of an engagement from the answers stored in them, as
 * after a write that stopped between an answer and its roll-up. Returns the answers counted.
 */
export async function rebuildWeeks(
  ctx: Context,
  engagementId: string,
  weeks: string[],
): Promise<number> {
  const result = await rebuild(ctx, engagementId, async (timezone) => {
    const answers: AnswerRow[] = [];
    for (const week of new Set(weeks)) {
      answers.push(...(await weekAnswers(ctx.store, engagementId, week, timezone)));
    }
    return { weeks: [...new Set(weeks)], answers };
  });
  return result.answers;
}

/**
 * Recomputes all of an engagement's roll-ups from its stored answers and replaces the old
 * ones. Returns the number of answers and of weeks holding them.
 */
export async function rebuildRollups(
  ctx: Context,
  engagementId: string,
): Promise<{ answers: number; weeks: number }> {
  let answered = 0;
  const result = await rebuild(ctx, engagementId, async (timezone) => {
    const answers = await answerCollection(ctx.store).find({ engagementId }).toArray();
    const stored = await rollupCollection(ctx.store)
      .find({ engagementId })
      .project<{ week: string }>({ week: 1 })
      .toArray();
    const withAnswers = new Set(answers.map((a) => weekKey(a.answeredAt, timezone)));
    answered = withAnswers.size;
    return { weeks: [...new Set([...stored.map((c) => c.week), ...withAnswers])], answers };
  });
  return { answers: result.answers, weeks: answered };
}
