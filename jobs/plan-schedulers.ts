import type { Context } from '../src/services/context.js';
import { personTimezone } from '../src/services/people.js';
import { recentActivePeople } from '../src/services/recent-reads.js';
import { jobId } from './catalog.js';

/** The milestone check runs daily at 09:00 in the engagement's time zone. */
export const CHECK_PATTERN = '0 9 * * *';

/** The digest goes out Mondays at 08:30 in each recipient's own time zone. */
export const DIGEST_PATTERN = '30 8 * * 1';

/** Roles that receive the digest. */
const DIGEST_ROLES = ['relationship_manager', 'governance_lead'];

/** A time zone as part of a scheduler id: `America/New_York` becomes `America_New_York`. */
function zoneKey(timezone: string): string {
  return timezone.replaceAll('/', '_');
}

/**
 * Upserts, per engagement, the daily milestone check and one weekly digest scheduler per
 * time zone its relationship managers and governance leads live in; digest schedulers of
 * time zones nobody lives in any more are removed. Idempotent, so several processes may run
 * it at once.
 */
export async function syncPlanSchedulers(ctx: Context): Promise<void> {
  const engagements = await ctx.store.engagements.find().select({ timezone: 1 }).lean();
  const existing = await ctx.jobs.queue.getJobSchedulers();
  for (const e of engagements) {
    await ctx.jobs.schedule(
      jobId('milestones', e._id),
      { pattern: CHECK_PATTERN, tz: e.timezone },
      'check-milestones',
      { engagementId: e._id },
    );
    // One shared read of everyone, not a scan per engagement (FerretDB scans for any filter).
    const people = (await recentActivePeople(ctx, e._id)).filter((p) =>
      p.roles.some((r) => DIGEST_ROLES.includes(r)),
    );
    const zones = new Set(people.map((p) => personTimezone(p, e.timezone)));
    const wanted = new Set<string>();
    for (const tz of zones) {
      const id = jobId('digest', e._id, zoneKey(tz));
      wanted.add(id);
      await ctx.jobs.schedule(id, { pattern: DIGEST_PATTERN, tz }, 'send-digest', {
        engagementId: e._id,
        timezone: tz,
      });
    }
    const prefix = jobId('digest', e._id, '');
    for (const s of existing) {
      if (s.key.startsWith(prefix) && !wanted.has(s.key)) {
        await ctx.jobs.queue.removeJobScheduler(s.key);
      }
    }
  }
}
