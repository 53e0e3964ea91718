import type { Dimension, Side } from '../src/domain/dimension.js';
import { DIMENSIONS } from '../src/domain/dimension.js';
import type { Figure } from '../src/domain/scores.js';
import { followThroughLines } from '../src/services/follow-through.js';
import type { NpsChangeFigure, ScoresReport } from '../src/services/scores.js';

/** A titled group of short lines; each platform lays it out its own way. */
export interface TextSection {
  title: string;
  lines: string[];
}

const DIMENSION_NAMES: Record<Dimension, string> = {
  advocacy: 'Advocacy (NPS)',
  business_alignment: 'Business alignment',
  relationship_alignment: 'Relationship',
  future_value_alignment: 'Future value',
  operational_performance: 'Operations',
  governance: 'Governance',
  project_services: 'Projects',
};

function signed(x: number): string {
  const r = Math.round(x);
  return r > 0 ? `+${r}` : String(r);
}

function plain(x: number): string {
  return String(Math.round(x));
}

/** One figure as a short line: value, interval and n, or what it still needs. */
export function figureLine(label: string, f: Figure, nps: boolean): string {
  if (f.value === null || f.low === null || f.high === null) {
    const more = f.needed === 1 ? '1 more person' : `${f.needed} more people`;
    const verb = f.needed === 1 ? 'answers' : 'answer';
    return `${label}: hidden until ${more} ${verb} (n=${f.n})`;
  }
  const show = nps ? signed : plain;
  return `${label}: ${show(f.value)} (${show(f.low)} to ${show(f.high)}), n=${f.n}`;
}

function sideSection(report: ScoresReport, side: Side): TextSection {
  const { client, provider } = report.parties;
  const title =
    side === 'client' ? `${client} (client) on ${provider}` : `${provider} (provider) on ${client}`;
  const lines = DIMENSIONS.map((d) =>
    figureLine(DIMENSION_NAMES[d], report.sides[side][d], d === 'advocacy'),
  );
  return { title, lines };
}

function headline(report: ScoresReport): string[] {
  const c = report.sides.client.advocacy;
  const p = report.sides.provider.advocacy;
  return [figureLine('Client NPS', c, true), figureLine('Client-of-choice score', p, true)];
}

/** Active people per side that no chat platform can reach yet (say, Teams before install). */
export interface Unreachable {
  client: number;
  provider: number;
}

function unreachableSection(report: ScoresReport, u: Unreachable): TextSection {
  const count = (n: number) => (n === 1 ? '1 person' : `${n} people`);
  return {
    title: 'Not reachable yet',
    lines: [
      `${report.parties.client} (client): ${count(u.client)}`,
      `${report.parties.provider} (provider): ${count(u.provider)}`,
    ],
  };
}

/** One side's NPS change as a short line; a rise or a drop only when it is significant. */
export function changeLine(label: string, change: NpsChangeFigure | null): string {
  if (!change) return `${label}: no change to show (a window is hidden or empty)`;
  const points = `${signed(change.delta)} points`;
  if (!change.significant) return `${label}: no significant change (${points})`;
  return `${label}: ${change.delta > 0 ? 'rise' : 'drop'} of ${points}, significant`;
}

function changeSection(report: ScoresReport): TextSection | null {
  if (!report.change || !report.since) return null;
  const since = report.since.asOf.slice(0, 10);
  return {
    title: `NPS change since ${since}`,
    lines: [
      changeLine('Client NPS', report.change.client),
      changeLine('Client-of-choice score', report.change.provider),
    ],
  };
}

/** Perception gaps (client − provider) per dimension; hidden when either side is hidden. */
function gapsSection(report: ScoresReport): TextSection {
  const lines: string[] = [];
  for (const d of DIMENSIONS) {
    if (d === 'advocacy') continue;
    const g = report.gaps[d];
    if (!g) {
      lines.push(`${DIMENSION_NAMES[d]}: hidden until both sides show`);
      continue;
    }
    const mark = g.significant ? 'significant' : 'not significant';
    lines.push(
      `${DIMENSION_NAMES[d]}: ${signed(g.value)} (${signed(g.low)} to ${signed(g.high)}), ${mark}`,
    );
  }
  return { title: 'Perception gaps (client minus provider)', lines };
}

function ratesSection(report: ScoresReport): TextSection | null {
  if (report.responseRates.length === 0) return null;
  const byPulse = new Map<string, string[]>();
  for (const r of report.responseRates) {
    if (r.rate === null) continue;
    const text = `${r.side} ${Math.round(r.rate * 100)}% (${r.answered}/${r.sent})`;
    byPulse.set(r.occurrence, [...(byPulse.get(r.occurrence) ?? []), text]);
  }
  const lines = [...byPulse].slice(-4).map(([date, parts]) => `${date}: ${parts.join(', ')}`);
  return lines.length > 0 ? { title: 'Response rates (latest pulses)', lines } : null;
}

/**
 * The scores reply, as sections; the same content on every platform. With `unreachable`, a
 * last section counts the people of each side who cannot be reached yet (none: no section).
 */
export function scoresSections(report: ScoresReport, unreachable?: Unreachable): TextSection[] {
  const since = report.windowStart.slice(0, 10);
  const sections: TextSection[] = [
    { title: `${report.name}: rolling window since ${since}`, lines: headline(report) },
  ];
  const change = changeSection(report);
  if (change) sections.push(change);
  sections.push(sideSection(report, 'client'), sideSection(report, 'provider'));
  sections.push(gapsSection(report));
  const rates = ratesSection(report);
  if (rates) sections.push(rates);
  if (report.followThrough) {
    sections.push({
      title: 'Follow-through: milestones on time',
      lines: followThroughLines(report.followThrough, report.parties),
    });
  }
  if (unreachable && unreachable.client + unreachable.provider > 0) {
    sections.push(unreachableSection(report, unreachable));
  }
  return sections;
}
