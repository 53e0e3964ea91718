import { dateIn } from '../domain/cadence.js';
import { SIDES, type Side } from '../domain/dimension.js';
import { onTimeOutcome } from '../domain/milestone.js';
import type { Store } from '../store/store.js';

/** One side's follow-through: milestones counted, those on time, and their ratio. */
export interface SideFollowThrough {
  /** Milestones done, or open past their first planned date. */
  counted: number;
  onTime: number;
  /** onTime / counted, 0–1; null when nothing counts yet. */
  rate: number | null;
}

export type FollowThrough = Record<Side, SideFollowThrough>;

/**
 * The on-time rate of the milestones each side owns on `asOf`: a milestone belongs to every
 * side one of its item's owners is on, and is on time when done by its first planned date
 * (a re-plan does not move that). Milestones not yet due and not done do not count.
 * Returns null for an unknown engagement.
 */
export async function followThrough(
  store: Store,
  engagementId: string,
  asOf: Date,
): Promise<FollowThrough | null> {
  const engagement = await store.engagements.findById(engagementId).lean();
  if (!engagement) return null;
  const today = dateIn(asOf, engagement.timezone);
  const [items, milestones, people] = await Promise.all([
    store.actionItems.find({ engagementId }).lean(),
    store.milestones.find({ engagementId }).lean(),
    store.people.find({ engagementId }).select({ personId: 1, side: 1 }).lean(),
  ]);
  const sideOf = new Map(people.map((p) => [p.personId, p.side]));
  const result = {} as FollowThrough;
  for (const side of SIDES) result[side] = { counted: 0, onTime: 0, rate: null };
  for (const m of milestones) {
    const item = items.find((i) => i.actionId === m.actionId);
    const sides = new Set((item?.owners ?? []).map((o) => sideOf.get(o)));
    const state = m.state;
    const outcome = onTimeOutcome(
      { state, originalDue: m.originalDue, doneOn: m.doneOn ?? null },
      today,
    );
    if (!outcome) continue;
    for (const side of SIDES) {
      if (!sides.has(side)) continue;
      result[side].counted += 1;
      if (outcome === 'on-time') result[side].onTime += 1;
    }
  }
  for (const side of SIDES) {
    const s = result[side];
    s.rate = s.counted > 0 ? s.onTime / s.counted : null;
  }
  return result;
}

/** Follow-through as short lines, one per side, named after the two organisations. */
export function followThroughLines(
  f: FollowThrough,
  parties: { client: string; provider: string },
): string[] {
  return SIDES.map((side) => {
    const s = f[side];
    const name = `${parties[side]} (${side})`;
    if (s.rate === null) return `${name}: no milestones due yet`;
    return `${name}: ${Math.round(s.rate * 100)}% on time (${s.onTime} of ${s.counted})`;
  });
}
