import type { Dimension, Side } from '../src/domain/dimension.js';
import { DIMENSIONS } from '../src/domain/dimension.js';
import type { Figure } from '../src/domain/scores.js';
import { followThroughLines } from '../src/services/follow-through.js';
import type { ScoresReport } from '../src/services/scores.js';

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

/**
 * The scores reply, as sections; the same content on every platform. With `unreachable`, a
 * last section counts the people of each side who cannot be reached yet (none: no section).
 */
export function scoresSections(report: ScoresReport, unreachable?: Unreachable): TextSection[] {
  const since = report.windowStart.slice(0, 10);
  const sections: TextSection[] = [
    { title: `${report.name}: rolling window since ${since}`, lines: headline(report) },
    sideSection(report, 'client'),
    sideSection(report, 'provider'),
  ];
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
