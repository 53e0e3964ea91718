import type { Redis } from 'ioredis';
import type { Context } from './context.js';

/**
 * Claims to send a delivery, kept in Redis because its commands are atomic: FerretDB applies
 * an update as a read and a write, so two workers could both win a claim stored there. One
 * hash per delivery holds `until` (epoch ms the claim lasts to; `done` once the delivery was
 * recorded as sent), `attempts` (claims so far) and `answered` (a click came while the send
 * was being recorded). Times come from the caller's clock, so tests that move their clock move
 * the leases too.
 */

/** How long a claim record is kept, in seconds: well past any pulse's close. */
const KEEP_SECONDS = 60 * 24 * 3600;

const CLAIM = `
local held = redis.call('HGET', KEYS[1], 'until')
if held == 'done' then return {'done', 0} end
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then return {'stopped', i - 2} end
end
if held and tonumber(held) > tonumber(ARGV[1]) then return {'busy', held} end
local before = tonumber(redis.call('HGET', KEYS[1], 'attempts') or '0')
redis.call('HSET', KEYS[1], 'until', ARGV[2], 'attempts', before + 1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {'claimed', before}
`;

const RELEASE = `
if redis.call('HGET', KEYS[1], 'until') == 'done' then return 0 end
redis.call('HSET', KEYS[1], 'until', '0')
if ARGV[1] == '1' then redis.call('HINCRBY', KEYS[1], 'attempts', -1) end
return 1
`;

const FINISH = `
redis.call('HSET', KEYS[1], 'until', 'done')
redis.call('EXPIRE', KEYS[1], ARGV[1])
for i = 2, #ARGV, 2 do
  local held = redis.call('HGET', KEYS[2], ARGV[i])
  if not held or held < ARGV[i + 1] then redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
end
if redis.call('HGET', KEYS[1], 'answered') then return 2 end
return 1
`;

const ANSWERED = `
redis.call('HSET', KEYS[1], 'answered', '1')
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
`;

const REMIND = `
local sent = tonumber(redis.call('HGET', KEYS[1], 'reminders') or '0')
if sent >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'reminders', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
`;

/** Fields of a Redis hash to raise along with a finish (see asked-history.ts). */
export type KeepFields = { key: string; pairs: string[] };

export type SendClaim =
  | { kind: 'claimed'; earlierAttempts: number }
  | { kind: 'busy'; untilMs: number }
  | { kind: 'done' }
  /** A stop of {@link StopsOf} is set; `reason` says which. */
  | { kind: 'stopped'; reason: StopReason };

/** What keeps a delivery from being sent, as far as Redis knows at the moment of its claim. */
export type StopReason = 'pulse closed' | 'engagement paused' | 'person paused';

/** The delivery a claim is for, as far as its stops go. */
export interface StopsOf {
  pulseId: string;
  engagementId: string;
  personId: string;
}

const STOP_REASONS: StopReason[] = ['pulse closed', 'engagement paused', 'person paused'];

/** The send claims of the context's deployment. */
export function sendClaims(ctx: Context): SendClaims {
  return new SendClaims(ctx.jobs.connection, ctx.jobs.prefix);
}

/** The send claims of one deployment, under its queue prefix. */
export class SendClaims {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(deliveryId: string): string {
    return `${this.prefix}:send-claim:${deliveryId}`;
  }

  private stopKeys(of: StopsOf): string[] {
    return [
      `${this.prefix}:closed:${of.pulseId}`,
      `${this.prefix}:paused:${of.engagementId}`,
      `${this.prefix}:paused:${of.engagementId}:${of.personId}`,
    ];
  }

  /**
   * Takes the delivery for `leaseMs` from `now`, unless a live claim, a finished send, or a
   * stop: its pulse closed, its engagement or person paused. The stops are checked in the
   * same atomic step, so a pause or a close set before the claim is never posted past, however
   * long ago the sender read the delivery.
   */
  async claim(deliveryId: string, now: Date, leaseMs: number, of?: StopsOf): Promise<SendClaim> {
    const at = now.getTime();
    const keys = [this.key(deliveryId), ...(of ? this.stopKeys(of) : [])];
    const [kind, value] = (await this.redis.eval(
      CLAIM,
      keys.length,
      ...keys,
      String(at),
      String(at + leaseMs),
      String(KEEP_SECONDS),
    )) as [string, string | number];
    if (kind === 'done') return { kind: 'done' };
    if (kind === 'busy') return { kind: 'busy', untilMs: Number(value) };
    if (kind === 'stopped') return { kind: 'stopped', reason: STOP_REASONS[Number(value)]! };
    return { kind: 'claimed', earlierAttempts: Number(value) };
  }

  /** Sets a stop: a person's pause until `until`, an engagement's pause, or a pulse's close. */
  async stop(
    what: { closed: string } | { paused: string; personId?: string },
    until?: Date,
  ): Promise<void> {
    const key =
      'closed' in what
        ? `${this.prefix}:closed:${what.closed}`
        : `${this.prefix}:paused:${what.paused}${what.personId ? `:${what.personId}` : ''}`;
    const expiry = until ? ['PXAT', String(until.getTime())] : ['EX', String(KEEP_SECONDS)];
    await this.redis.set(key, '1', ...(expiry as ['PXAT', string]));
  }

  /** Lifts a pause set with {@link stop}. */
  async unstop(what: { paused: string; personId?: string }): Promise<void> {
    const suffix = what.personId ? `:${what.personId}` : '';
    await this.redis.del(`${this.prefix}:paused:${what.paused}${suffix}`);
  }

  /**
   * Lets the claim go at once. `nothingPosted` (a 429) takes the attempt back, so the next
   * claim does not look for a post that cannot exist.
   */
  async release(deliveryId: string, nothingPosted = false): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(deliveryId), nothingPosted ? '1' : '0');
  }

  /**
   * Records that the delivery's outcome is stored: no later claim succeeds. `alsoKeep` fields
   * are kept in the same round trip, each at the later of its stored and given value. Resolves
   * to whether a click on the delivery was recorded meanwhile ({@link markAnswered}).
   */
  async finish(deliveryId: string, alsoKeep?: KeepFields): Promise<boolean> {
    const [answered] = await this.finishAll([{ deliveryId, alsoKeep }]);
    return answered ?? false;
  }

  /** {@link finish} for many deliveries in one round trip; one flag per delivery, in order. */
  async finishAll(items: { deliveryId: string; alsoKeep?: KeepFields }[]): Promise<boolean[]> {
    if (items.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const { deliveryId, alsoKeep } of items) {
      const keys = alsoKeep ? [this.key(deliveryId), alsoKeep.key] : [this.key(deliveryId)];
      pipeline.eval(FINISH, keys.length, ...keys, String(KEEP_SECONDS), ...(alsoKeep?.pairs ?? []));
    }
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, value]) => {
      if (err) throw err;
      return value === 2;
    });
  }

  /**
   * Notes that the person answered a delivery that may still be being sent. A sender that
   * stores `sent` after the click's `answered` would hide the answer from the delivery's
   * state; {@link finish} tells the sender, which then puts `answered` back.
   */
  async markAnswered(deliveryId: string): Promise<void> {
    await this.redis.eval(ANSWERED, 1, this.key(deliveryId), String(KEEP_SECONDS));
  }

  /**
   * Takes reminder number `reminder` of a sent delivery for sending; false when it or a later
   * one was taken before. Reminders are not tried again, so a taken one is never given back.
   */
  async claimReminder(deliveryId: string, reminder: number): Promise<boolean> {
    const key = this.key(deliveryId);
    return (await this.redis.eval(REMIND, 1, key, String(reminder), String(KEEP_SECONDS))) === 1;
  }
}
