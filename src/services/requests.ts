import { DEFAULT_WINDOW_WEEKS, rollingWindow } from '../domain/window.js';
import type { Context } from './context.js';
import { followThrough } from './follow-through.js';
import { unreachablePeople } from './people.js';
import { scoresOf, type ScoresReport } from './scores.js';

export type Requester =
  | { platform: 'slack'; team: string; user: string }
  | { platform: 'teams'; tenant: string; user: string };

/** How many active people of each side no platform can reach yet. */
export interface UnreachableCounts {
  client: number;
  provider: number;
}

export type ScoresRequestResult =
  | { kind: 'scores'; report: ScoresReport; unreachable: UnreachableCounts }
  | { kind: 'unknown-engagement'; engagementId: string }
  | { kind: 'not-allowed' }
  | { kind: 'choose'; engagements: string[] };

function identityFilter(r: Requester) {
  return r.platform === 'slack'
    ? { 'slack.team': r.team, 'slack.user': r.user, active: true }
    : { 'teams.tenant': r.tenant, 'teams.user': r.user, active: true };
}

/**
 * Answers a request for scores. Only relationship managers of the engagement may see them;
 * without an engagement id, the one engagement the requester manages is used.
 */
export async function requestScores(
  ctx: Context,
  requester: Requester,
  engagementId: string | undefined,
): Promise<ScoresRequestResult> {
  const roles = await ctx.store.people.find(identityFilter(requester)).lean();
  const managed = roles
    .filter((p) => p.roles.includes('relationship_manager'))
    .map((p) => p.engagementId);
  if (engagementId === undefined) {
    if (managed.length === 0) return { kind: 'not-allowed' };
    if (managed.length > 1) return { kind: 'choose', engagements: managed.sort() };
    engagementId = managed[0]!;
  }
  const exists = await ctx.store.engagements.exists({ _id: engagementId });
  if (!exists) {
    return managed.length > 0
      ? { kind: 'unknown-engagement', engagementId }
      : { kind: 'not-allowed' };
  }
  if (!managed.includes(engagementId)) return { kind: 'not-allowed' };
  const engagement = await ctx.store.engagements.findById(engagementId).lean();
  const now = ctx.now();
  // The NPS change over the last window: against the window that ended as this one began.
  const timezone = engagement?.timezone ?? 'UTC';
  const window = rollingWindow(now, timezone, engagement?.windowWeeks ?? DEFAULT_WINDOW_WEEKS);
  const since = new Date(window.start.getTime() - 1);
  const report = await scoresOf(ctx.store, engagementId, now, since);
  if (!report) return { kind: 'unknown-engagement', engagementId };
  const follow = await followThrough(ctx.store, engagementId, now);
  if (follow) report.followThrough = follow;
  const missing = await unreachablePeople(ctx.store, engagementId);
  const unreachable = { client: missing.client.length, provider: missing.provider.length };
  return { kind: 'scores', report, unreachable };
}
