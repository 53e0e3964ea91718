import type { Dimension, Side } from '../domain/dimension.js';
import type { GapFigure } from '../domain/gap.js';
import { npsChange } from '../domain/nps.js';
import {
  addToTally,
  emptyTallies,
  figuresOf,
  type Figure,
  type Tallies,
} from '../domain/scores.js';
import { localIso, rollingWindow } from '../domain/window.js';
import type { EngagementDoc, Store } from '../store/store.js';
import type { FollowThrough } from './follow-through.js';

/** The scores of one engagement at one time, in the shape `rapport scores --json` prints. */
export interface ScoresReport {
  engagement: string;
  name: string;
  parties: { client: string; provider: string };
  asOf: string;
  windowStart: string;
  privacyThreshold: number;
  sides: Record<Side, Record<Dimension, Figure>>;
  gaps: Partial<Record<Dimension, GapFigure>>;
  change?: Record<Side, { delta: number; significant: boolean } | null>;
  /** Milestones on time per side; filled in by the chat reply path, not by `scoresOf`. */
  followThrough?: FollowThrough;
}

/** Adds up the answers of the window that ends at `asOf`. */
async function talliesAt(store: Store, engagement: EngagementDoc, asOf: Date) {
  const window = rollingWindow(asOf, engagement.timezone, engagement.windowWeeks);
  const answers = await store.answers
    .find({ engagementId: engagement._id, answeredAt: { $gte: window.start, $lte: asOf } })
    .select({ side: 1, dimension: 1, score: 1, personId: 1 })
    .lean();
  const tallies: Tallies = emptyTallies();
  for (const a of answers) {
    const dimension = a.dimension;
    addToTally(tallies[a.side][dimension], dimension, a.score, a.personId);
  }
  return { window, tallies };
}

/**
 * The figures of an engagement over the rolling window ending at `asOf`; with `since`, also
 * the change in each side's NPS (adjusted centres) from the window ending at `since`.
 * Returns null for an unknown engagement.
 */
export async function scoresOf(
  store: Store,
  engagementId: string,
  asOf: Date,
  since?: Date,
): Promise<ScoresReport | null> {
  const engagement = await store.engagements.findById(engagementId).lean();
  if (!engagement) return null;
  const { window, tallies } = await talliesAt(store, engagement, asOf);
  const now = figuresOf(tallies, engagement.privacyThreshold);
  const report: ScoresReport = {
    engagement: engagement._id,
    name: engagement.name,
    parties: { client: engagement.client, provider: engagement.provider },
    asOf: asOf.toISOString(),
    windowStart: localIso(window.start, engagement.timezone),
    privacyThreshold: engagement.privacyThreshold,
    sides: now.sides,
    gaps: now.gaps,
  };
  if (since) {
    const before = figuresOf(
      (await talliesAt(store, engagement, since)).tallies,
      engagement.privacyThreshold,
    );
    const change = (side: Side) => {
      const [b, a] = [before.nps[side], now.nps[side]];
      return b && a ? npsChange(b, a) : null;
    };
    report.change = { client: change('client'), provider: change('provider') };
  }
  return report;
}
