import type { KnownBlock } from '@slack/types';
import type { ScoresReport } from '../../src/services/scores.js';
import { scoresSections, type Unreachable } from '../render-scores.js';

/** Slack blocks of a scores reply: a short section per group, readable on a phone. */
export function scoresBlocks(report: ScoresReport, unreachable?: Unreachable): KnownBlock[] {
  return scoresSections(report, unreachable).map((s) => ({
    type: 'section',
    text: { type: 'mrkdwn', text: [`*${s.title}*`, ...s.lines.map((l) => `• ${l}`)].join('\n') },
  }));
}
