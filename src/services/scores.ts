import type { Dimension, Side } from '../domain/dimension.js';
import type { GapFigure } from '../domain/gap.js';
import { npsChange } from '../domain/nps.js';
import { figuresOf, type Figure } from '../domain/scores.js';
import { localIso, rollingWindow } from '../domain/window.js';
import type { EngagementDoc, Store } from '../store/store.js';
import type { FollowThrough } from './follow-through.js';
import { responseRates, type ResponseRate } from './response-rates.js';
import { talliesFromRollups } from './rollups.js';

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
  /**
   * With a `since` time: per side, the change of NPS adjusted centres from the window ending
   * at `since` (`delta`, points) and of the plain NPS (`deltaValue`); null when either figure
   * is hidden or empty.
   */
  change?: Record<Side, NpsChangeFigure | null>;
  /** The window `change` compares with: its `asOf` and start. */
  since?: { asOf: string; windowStart: string };
  /** Response rate per pulse and side, for the pulses opened inside the window. */
  responseRates: ResponseRate[];
  /** Milestones on time per side; filled in by the chat reply path, not by `scoresOf`. */
  followThrough?: FollowThrough;
}

/** A change of one side's NPS between two windows. */
export interface NpsChangeFigure {
  delta: number;
  deltaValue: number;
  significant: boolean;
}

/** Adds up the roll-ups of the window that ends at `asOf` (see talliesFromRollups). */
async function talliesAt(store: Store, engagement: EngagementDoc, asOf: Date) {
  const window = rollingWindow(asOf, engagement.timezone, engagement.windowWeeks);
  const tallies = await talliesFromRollups(store, engagement._id, engagement.timezone, window);
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
    responseRates: await responseRates(store, engagement._id, window.start, asOf),
  };
  if (since) {
    const then = await talliesAt(store, engagement, since);
    const before = figuresOf(then.tallies, engagement.privacyThreshold);
    const change = (side: Side): NpsChangeFigure | null => {
      const [b, a] = [before.nps[side], now.nps[side]];
      return b && a ? { ...npsChange(b, a), deltaValue: a.value - b.value } : null;
    };
    report.change = { client: change('client'), provider: change('provider') };
    report.since = {
      asOf: since.toISOString(),
      windowStart: localIso(then.window.start, engagement.timezone),
    };
  }
  return report;
}
