import type { Context } from './context.js';
import { forgetRecentReads } from './recent-reads.js';

/** A Teams user as an activity names them: the tenant and their AAD object id. */
export interface TeamsIdentity {
  tenant: string;
  user: string;
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * Keeps the conversation reference of the app's personal chat with a Teams user on every
 * configured person they are (one per engagement), so pulses can be sent proactively.
 * Returns how many people matched; an unknown user changes nothing and returns 0.
 */
export async function rememberTeamsConversation(
  ctx: Context,
  who: TeamsIdentity,
  reference: object,
): Promise<number> {
  const plain = JSON.parse(JSON.stringify(reference)) as unknown;
  const result = await ctx.store.people.updateMany(
    { 'teams.tenant': who.tenant, 'teams.user': who.user },
    { $set: { teamsReference: plain } },
  );
  if (result.matchedCount > 0) {
    forgetRecentReads(ctx.store);
    ctx.log.info({ platform: 'teams', people: result.matchedCount }, 'teams conversation kept');
  }
  return result.matchedCount;
}

/**
 * Stores the time zone a Teams client reported (`localTimezone`) on the user's people.
 * A name that is not an IANA time zone is ignored. Returns how many people changed.
 */
export async function noteTeamsTimezone(
  ctx: Context,
  who: TeamsIdentity,
  timezone: string | undefined,
): Promise<number> {
  if (!timezone || !isTimeZone(timezone)) return 0;
  const result = await ctx.store.people.updateMany(
    { 'teams.tenant': who.tenant, 'teams.user': who.user, platformTimezone: { $ne: timezone } },
    { $set: { platformTimezone: timezone } },
  );
  if (result.modifiedCount > 0) forgetRecentReads(ctx.store);
  return result.modifiedCount;
}

/** Whether a Teams user is a configured, active person that Rapport cannot reach yet. */
export async function awaitsTeamsConversation(ctx: Context, who: TeamsIdentity): Promise<boolean> {
  const found = await ctx.store.people.exists({
    'teams.tenant': who.tenant,
    'teams.user': who.user,
    active: true,
    teamsReference: null,
  });
  return found !== null;
}
