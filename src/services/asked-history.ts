import type { Dimension } from '../domain/dimension.js';
import type { AskedHistory } from '../domain/question-plan.js';
import type { Context } from './context.js';

/**
 * What each person of an engagement was asked and when, kept in one Redis hash per
 * engagement (field `PERSON\tDIMENSION`, value the ISO due time of the latest delivery that
 * carried it), so planning reads it in one call instead of scanning every delivery stored,
 * which FerretDB does for any filter but `_id`. A delivery counts once it leaves `scheduled`
 * for anything but `paused`, as the deliveries themselves say. The hash is filled from the
 * deliveries once (field `_init`), so a lost or new Redis starts from what the database holds.
 */

const INIT = '_init';

/** Arguments (an even number) per Redis call while filling the hash. */
const CHUNK = 10_000;

/** Keeps, per field, the later of the stored and the given ISO time. */
const RECORD = `
for i = 1, #ARGV, 2 do
  local held = redis.call('HGET', KEYS[1], ARGV[i])
  if not held or held < ARGV[i + 1] then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 1
`;

function key(ctx: Context, engagementId: string): string {
  return `${ctx.jobs.prefix}:asked:${engagementId}`;
}

function fields(personId: string, dims: Iterable<string>, dueAt: Date): string[] {
  const at = dueAt.toISOString();
  return [...dims].flatMap((d) => [`${personId}\t${d}`, at]);
}

type AskedDelivery = {
  engagementId: string;
  personId: string;
  dueAt: Date;
  questions: { dimension?: string | null }[];
};

/**
 * The hash and field–time pairs that record a delivery as asked (for a caller that writes
 * them with other things), or null when it carried no question.
 */
export function askedFields(ctx: Context, delivery: AskedDelivery) {
  const dims = delivery.questions.flatMap((q) => (q.dimension ? [q.dimension] : []));
  if (dims.length === 0) return null;
  return {
    key: key(ctx, delivery.engagementId),
    pairs: fields(delivery.personId, dims, delivery.dueAt),
  };
}

/** Records that a delivery with these question dimensions, due at `dueAt`, counts as asked. */
export async function recordAsked(ctx: Context, delivery: AskedDelivery): Promise<void> {
  const asked = askedFields(ctx, delivery);
  if (asked) await ctx.jobs.connection.eval(RECORD, 1, asked.key, ...asked.pairs);
}

/** The engagement's histories by person id, for planning pulse `pulseId`. */
export async function askedHistories(ctx: Context, engagementId: string, pulseId: string) {
  const k = key(ctx, engagementId);
  if ((await ctx.jobs.connection.hexists(k, INIT)) === 0) {
    await fillFromDeliveries(ctx, engagementId, pulseId);
  }
  const all = await ctx.jobs.connection.hgetall(k);
  const histories = new Map<string, AskedHistory>();
  for (const [field, at] of Object.entries(all)) {
    const tab = field.indexOf('\t');
    if (tab < 0) continue;
    const personId = field.slice(0, tab);
    const history = histories.get(personId) ?? {};
    histories.set(personId, history);
    history[field.slice(tab + 1) as Dimension] = new Date(at);
  }
  return histories;
}

/**
 * Copies the history the deliveries hold into the hash. An engagement without any pulse yet
 * has none, and is not scanned for it.
 */
async function fillFromDeliveries(ctx: Context, engagementId: string, currentPulseId: string) {
  const hasPulses = await ctx.store.pulses.exists({ engagementId, _id: { $ne: currentPulseId } });
  const past = hasPulses
    ? await ctx.store.deliveries
        .find({ engagementId, state: { $nin: ['scheduled', 'paused'] } })
        .select({ personId: 1, questions: 1, dueAt: 1 })
        .lean()
    : [];
  const args = past.flatMap((d) =>
    fields(
      d.personId,
      d.questions.flatMap((q) => (q.dimension ? [q.dimension] : [])),
      d.dueAt,
    ),
  );
  args.push(INIT, '1');
  for (let i = 0; i < args.length; i += CHUNK) {
    await ctx.jobs.connection.eval(RECORD, 1, key(ctx, engagementId), ...args.slice(i, i + CHUNK));
  }
}
