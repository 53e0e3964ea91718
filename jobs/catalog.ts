import { z } from 'zod';

const engagementId = z.string().min(1);
const deliveryId = z.string().min(1);

/** A job kind: its payload schema, how often it is tried, its backoff and its time limit. */
export interface JobSpec<P extends z.ZodType = z.ZodType> {
  payload: P;
  /** Tries in all, the first included. */
  attempts: number;
  /** First retry delay in milliseconds; doubles on each further retry. */
  backoffMs: number;
  /** A try still running after this many milliseconds fails and is retried. */
  timeoutMs: number;
  /**
   * BullMQ priority (1 comes first, then higher numbers); kinds without one come before any
   * with one, in the order queued.
   */
  priority?: number;
}

function spec<P extends z.ZodType>(s: JobSpec<P>): JobSpec<P> {
  return s;
}

/** Every job Rapport runs, declared once. Payloads are checked when enqueued and processed. */
export const catalog = {
  /**
   * Creates the pulses of an engagement's occurrences that fall within the next two days.
   * Sends queued by an engagement's planning go before the planning of the next ones, so the
   * first messages leave while a hundred engagements are still being planned.
   */
  'plan-pulses': spec({
    payload: z.object({ engagementId }),
    attempts: 5,
    backoffMs: 5_000,
    timeoutMs: 60_000,
    priority: 10,
  }),
  /**
   * Sends the copies of one pulse that fall due together (planning puts 50 in a job, 100 at
   * most), each at most once; one that must wait makes the job run again later (see
   * delivery-batch.ts).
   */
  'deliver-pulses': spec({
    payload: z.object({
      pulseId: z.string().min(1),
      deliveryIds: z.array(deliveryId).min(1).max(100),
    }),
    attempts: 6,
    backoffMs: 2_000,
    // Each post ends within its port's lease, but the batch's posts share the process's.
    timeoutMs: 300_000,
  }),
  /** Sends one person's copy of one pulse (as queued before batches; still run). */
  'deliver-pulse': spec({
    payload: z.object({ deliveryId }),
    attempts: 6,
    backoffMs: 2_000,
    timeoutMs: 30_000,
  }),
  /** Redraws a sent pulse message from what is stored, after a click or at close. */
  'refresh-message': spec({
    payload: z.object({ deliveryId }),
    attempts: 6,
    backoffMs: 1_000,
    timeoutMs: 30_000,
  }),
  /** Chases an engagement's milestones and checks its score alerts; `asOf` defaults to now. */
  'check-milestones': spec({
    payload: z.object({ engagementId, asOf: z.iso.datetime().optional() }),
    attempts: 5,
    backoffMs: 5_000,
    timeoutMs: 120_000,
  }),
  /** Sends the weekly digest to an engagement's managers and leads living in `timezone`. */
  'send-digest': spec({
    payload: z.object({ engagementId, timezone: z.string().min(1) }),
    attempts: 5,
    backoffMs: 5_000,
    timeoutMs: 120_000,
  }),
  /** Reminds one person of a pulse they have not answered; never sent twice. */
  'remind-delivery': spec({
    payload: z.object({ deliveryId, reminder: z.number().int().min(1).max(2) }),
    attempts: 1,
    backoffMs: 1_000,
    timeoutMs: 30_000,
  }),
  /** Closes a pulse at its close time: open deliveries expire, messages show "closed". */
  'close-pulse': spec({
    payload: z.object({ pulseId: z.string().min(1) }),
    attempts: 5,
    backoffMs: 5_000,
    timeoutMs: 120_000,
  }),
  /** Recomputes roll-up weeks whose write a stopped process left unfinished. */
  'recover-rollups': spec({
    payload: z.object({}),
    attempts: 3,
    backoffMs: 30_000,
    timeoutMs: 600_000,
  }),
};

export type JobName = keyof typeof catalog;
export type JobPayload<N extends JobName> = z.infer<(typeof catalog)[N]['payload']>;

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(catalog, name);
}

/** BullMQ job ids may not contain `:`; ids built from parts join them with `--`. */
export function jobId(...parts: string[]): string {
  return parts.map((p) => p.replaceAll(':', '_')).join('--');
}
