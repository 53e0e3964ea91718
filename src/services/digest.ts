import { subDays } from 'date-fns';
import type { NoticeView } from '../../adapters/chat-port.js';
import { dateIn } from '../domain/cadence.js';
import { SIDES } from '../domain/dimension.js';
import { weekKey } from '../domain/window.js';
import { UserError } from '../errors.js';
import type { EngagementDoc } from '../store/store.js';
import { listActions, milestoneLine } from './action-plan.js';
import type { Context } from './context.js';
import { followThrough, followThroughLines } from './follow-through.js';
import { personTimezone, unreachablePeople } from './people.js';
import { sendOnce } from './plan-notices.js';
import { responseRates } from './response-rates.js';
import { scoresOf } from './scores.js';

/** Response rates in the digest cover the pulses opened in this many days before it. */
const RATE_DAYS = 28;

function signed(x: number): string {
  const r = Math.round(x);
  return r > 0 ? `+${r}` : String(r);
}

async function scoreLines(ctx: Context, e: EngagementDoc & { _id: string }, asOf: Date) {
  const report = await scoresOf(ctx.store, e._id, asOf, subDays(asOf, 7));
  const changes: string[] = [];
  for (const side of SIDES) {
    const c = report?.change?.[side];
    const label = side === 'client' ? 'Client NPS' : 'Client-of-choice score';
    if (c?.significant)
      changes.push(`${label}: ${c.delta > 0 ? 'rose' : 'dropped'} ${signed(c.delta)}`);
  }
  const gaps = Object.entries(report?.gaps ?? {})
    .filter(([, g]) => g.significant)
    .map(([d, g]) => `${d.replaceAll('_', ' ')}: ${signed(g.value)} (client − provider)`);
  return {
    changes: changes.length > 0 ? changes : ['No significant change since last week'],
    gaps: gaps.length > 0 ? gaps : ['No significant gap'],
  };
}

async function rateLines(ctx: Context, engagementId: string, asOf: Date): Promise<string[]> {
  const rates = await responseRates(ctx.store, engagementId, subDays(asOf, RATE_DAYS), asOf);
  const lines = rates
    .filter((r) => r.rate !== null)
    .map((r) => {
      const pct = Math.round((r.rate ?? 0) * 100);
      return `${r.occurrence} ${r.side}: ${pct}% (${r.answered} of ${r.sent})`;
    });
  return lines.length > 0 ? lines : [`No pulses sent in the last ${RATE_DAYS} days`];
}

/** The digest of one engagement as of `asOf`; the same text for every recipient. */
export async function digestNotice(
  ctx: Context,
  engagementId: string,
  asOf: Date,
): Promise<NoticeView> {
  const e = await ctx.store.engagements.findById(engagementId).lean();
  if (!e) throw new UserError(`engagement: no engagement "${engagementId}"`);
  const parties = { client: e.client, provider: e.provider };
  const scores = await scoreLines(ctx, e, asOf);
  const slipped = (await listActions(ctx.store, engagementId, asOf))
    .flatMap((a) => a.milestones)
    .filter((m) => m.status === 'slipped')
    .map(milestoneLine);
  const unreachable = await unreachablePeople(ctx.store, engagementId);
  const follow = await followThrough(ctx.store, engagementId, asOf);
  const bullet = (l: string) => `• ${l}`;
  const section = (title: string, lines: string[]) => [`${title}:`, ...lines.map(bullet)];
  return {
    title: `${e.name}: weekly digest, ${dateIn(asOf, e.timezone)}`,
    lines: [
      ...section('Significant score changes', scores.changes),
      ...section('Perception gaps', scores.gaps),
      ...section('Slipped milestones', slipped.length > 0 ? slipped : ['None']),
      ...section('Response rates', await rateLines(ctx, engagementId, asOf)),
      ...section('Not reachable', [
        `client: ${unreachable.client.join(', ') || 'none'}`,
        `provider: ${unreachable.provider.join(', ') || 'none'}`,
      ]),
      ...section(
        'Follow-through (milestones on time)',
        follow ? followThroughLines(follow, parties) : [],
      ),
    ],
  };
}

/**
 * Sends the weekly digest to an engagement's relationship managers and governance leads,
 * once per person and ISO week of their own time zone. With `timezone`, only the people
 * living in it (the scheduler fires Monday 08:30 once per time zone). Returns messages sent.
 */
export async function sendDigest(
  ctx: Context,
  engagementId: string,
  timezone: string | undefined,
  asOf: Date,
): Promise<number> {
  const e = await ctx.store.engagements.findById(engagementId).lean();
  if (!e) return 0;
  const people = await ctx.store.people
    .find({
      engagementId,
      active: true,
      roles: { $in: ['relationship_manager', 'governance_lead'] },
    })
    .lean();
  const recipients = people.filter(
    (p) => timezone === undefined || personTimezone(p, e.timezone) === timezone,
  );
  if (recipients.length === 0) return 0;
  const notice = await digestNotice(ctx, engagementId, asOf);
  let sent = 0;
  for (const person of recipients) {
    const week = weekKey(asOf, personTimezone(person, e.timezone));
    const result = await sendOnce(ctx, {
      key: `digest--${engagementId}--${week}`,
      engagementId,
      kind: 'digest',
      person,
      notice,
    });
    if (result === 'sent') sent += 1;
  }
  return sent;
}
