import {
  toCadence,
  type EngagementConfig,
  type EngagementFile,
  type PersonConfig,
} from '../config/engagement-file.js';
import { upsertRacing, type Store } from '../store/store.js';
import { importActions } from './action-plan.js';
import { forgetRecentReads } from './recent-reads.js';

export interface ImportSummary {
  engagements: { created: number; updated: number; unchanged: number };
  people: { created: number; updated: number; unchanged: number; deactivated: number };
  /** Action items and milestones in the file, created or brought up to date. */
  actions: { items: number; milestones: number };
}

type Counts = { created: number; updated: number; unchanged: number };

function count(counts: Counts, result: { upserted: boolean; modified: boolean }): void {
  if (result.upserted) counts.created += 1;
  else if (result.modified) counts.updated += 1;
  else counts.unchanged += 1;
}

function engagementFields(e: EngagementConfig) {
  return {
    name: e.name,
    client: e.client,
    provider: e.provider,
    timezone: e.timezone,
    cadence: toCadence(e.cadence),
    questionsPerPulse: e.questionsPerPulse,
    reminders: e.reminders,
    closesAfterDays: e.closesAfter ?? e.closesAfterDays,
    privacyThreshold: e.privacyThreshold,
    windowWeeks: e.windowWeeks,
    quietHours: e.quietHours ?? null,
    ...(e.paused === undefined ? {} : { paused: e.paused }),
  };
}

function personFields(p: PersonConfig) {
  return {
    name: p.name ?? null,
    side: p.side,
    roles: p.roles,
    configTimezone: p.timezone ?? null,
    slack: p.slack ?? null,
    teams: p.teams ?? null,
    active: true,
  };
}

/**
 * Brings the store in line with an engagement file: creates what is new, updates what
 * changed and leaves the rest untouched, so importing the same file twice changes nothing.
 * People no longer in the file are deactivated, not deleted, so their answers keep counting.
 */
export async function importEngagements(
  store: Store,
  file: EngagementFile,
  now = new Date(),
): Promise<ImportSummary> {
  const summary: ImportSummary = {
    engagements: { created: 0, updated: 0, unchanged: 0 },
    people: { created: 0, updated: 0, unchanged: 0, deactivated: 0 },
    actions: { items: 0, milestones: 0 },
  };
  for (const e of file.engagements) {
    const res = await upsertRacing(() =>
      store.engagements.updateOne(
        { _id: e.id },
        { $set: engagementFields(e) },
        { upsert: true, timestamps: false },
      ),
    );
    count(summary.engagements, {
      upserted: res.upsertedCount > 0,
      modified: res.modifiedCount > 0,
    });
    for (const p of e.people) {
      const r = await upsertRacing(() =>
        store.people.updateOne(
          { engagementId: e.id, personId: p.id },
          { $set: personFields(p) },
          { upsert: true, timestamps: false },
        ),
      );
      count(summary.people, { upserted: r.upsertedCount > 0, modified: r.modifiedCount > 0 });
    }
    const gone = await store.people.updateMany(
      { engagementId: e.id, personId: { $nin: e.people.map((p) => p.id) }, active: true },
      { $set: { active: false } },
      { timestamps: false },
    );
    summary.people.deactivated += gone.modifiedCount;
    const plan = await importActions(store, e, now);
    summary.actions.items += plan.items;
    summary.actions.milestones += plan.milestones;
  }
  forgetRecentReads(store);
  return summary;
}
