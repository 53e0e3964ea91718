import type { NoticeView } from '../../adapters/chat-port.js';
import { dateIn } from '../domain/cadence.js';
import type { Dimension } from '../domain/dimension.js';
import { rollingWindow } from '../domain/window.js';
import type { Context } from './context.js';
import { peopleWithRole, sendOnce } from './plan-notices.js';
import { scoresOf, type ScoresReport } from './scores.js';

/** A perception gap of at least this many points (0–100 index) that is significant alerts. */
export const GAP_ALERT_POINTS = 20;

function round(x: number): string {
  const r = Math.round(x);
  return r > 0 ? `+${r}` : String(r);
}

/** The alerts a report calls for, keyed by what they are about. */
export function alertsOf(report: ScoresReport): { about: string; notice: NoticeView }[] {
  const alerts: { about: string; notice: NoticeView }[] = [];
  const drop = report.change?.client;
  if (drop?.significant && drop.delta < 0) {
    alerts.push({
      about: 'nps-drop',
      notice: {
        title: `${report.name}: client NPS dropped significantly`,
        lines: [
          `${report.parties.client}'s NPS for ${report.parties.provider} moved ` +
            `${round(drop.delta)} points from the previous window (adjusted centres, 95 %).`,
        ],
      },
    });
  }
  for (const [dimension, gap] of Object.entries(report.gaps)) {
    if (!gap.significant || Math.abs(gap.value) < GAP_ALERT_POINTS) continue;
    const higher = gap.value > 0 ? report.parties.client : report.parties.provider;
    alerts.push({
      about: `gap-${dimension as Dimension}`,
      notice: {
        title: `${report.name}: the sides see ${dimension.replaceAll('_', ' ')} differently`,
        lines: [
          `Perception gap ${round(gap.value)} points (${round(gap.low)} to ${round(gap.high)}); ` +
            `${higher} rates it higher.`,
        ],
      },
    });
  }
  return alerts;
}

/**
 * Alerts both sides' relationship managers, once per rolling window, to a significant drop in
 * client NPS between consecutive windows (the window ending at `asOf` against the one ending
 * just before it starts) and to significant perception gaps of 20 points or more. A window is
 * named by its first day, so the same finding is alerted again only when the window moves on.
 * Returns how many messages were sent.
 */
export async function checkScoreAlerts(
  ctx: Context,
  engagementId: string,
  asOf: Date,
): Promise<number> {
  const engagement = await ctx.store.engagements.findById(engagementId).lean();
  if (!engagement) return 0;
  const window = rollingWindow(asOf, engagement.timezone, engagement.windowWeeks);
  const before = new Date(window.start.getTime() - 1);
  const report = await scoresOf(ctx.store, engagementId, asOf, before);
  if (!report) return 0;
  const windowKey = dateIn(window.start, engagement.timezone);
  const managers = await peopleWithRole(ctx, engagementId, 'relationship_manager');
  let sent = 0;
  for (const alert of alertsOf(report)) {
    for (const person of managers) {
      const result = await sendOnce(ctx, {
        key: `alert--${engagementId}--${alert.about}--${windowKey}`,
        engagementId,
        kind: 'alert',
        person,
        notice: alert.notice,
      });
      if (result === 'sent') sent += 1;
    }
  }
  return sent;
}
