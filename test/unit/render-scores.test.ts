import { describe, expect, it } from 'vitest';
import { changeLine, scoresSections } from '../../adapters/render-scores.js';
import { scoresBlocks } from '../../adapters/slack/render-scores.js';
import { DIMENSIONS } from '../../src/domain/dimension.js';
import type { Figure } from '../../src/domain/scores.js';
import type { ScoresReport } from '../../src/services/scores.js';

const shown: Figure = { n: 20, people: 12, value: 30, low: -6, high: 58, needed: 0 };
const hidden: Figure = { n: 2, people: 2, value: null, low: null, high: null, needed: 1 };

function report(): ScoresReport {
  const side = (f: Figure) =>
    Object.fromEntries(DIMENSIONS.map((d) => [d, f])) as ScoresReport['sides']['client'];
  return {
    engagement: 'acme-globex',
    name: 'Acme x Globex',
    parties: { client: 'Acme', provider: 'Globex' },
    asOf: '2026-09-27T23:00:00.000Z',
    windowStart: '2026-06-29T00:00:00-05:00',
    privacyThreshold: 3,
    sides: { client: side(shown), provider: side(hidden) },
    gaps: {},
    change: {
      client: { delta: 60, deltaValue: 75, significant: true },
      provider: { delta: 4.4, deltaValue: 5, significant: false },
    },
    since: { asOf: '2026-03-29T23:00:00.000Z', windowStart: '2025-12-29T00:00:00-06:00' },
    responseRates: [
      { pulseId: 'p', occurrence: '2026-09-22', side: 'client', sent: 10, answered: 7, rate: 0.7 },
    ],
  };
}

describe('the scores reply', () => {
  it('calls a change a rise or a drop only when it is significant', () => {
    expect(changeLine('Client NPS', { delta: 60, deltaValue: 75, significant: true })).toBe(
      'Client NPS: rise of +60 points, significant',
    );
    expect(changeLine('Client NPS', { delta: -41, deltaValue: -50, significant: true })).toBe(
      'Client NPS: drop of -41 points, significant',
    );
    expect(changeLine('Client NPS', { delta: -20, deltaValue: -25, significant: false })).toBe(
      'Client NPS: no significant change (-20 points)',
    );
  });

  it('shows value, interval and n per side, gaps, the change and response rates', () => {
    const text = scoresSections(report())
      .map((s) => [s.title, ...s.lines].join('\n'))
      .join('\n');
    expect(text).toContain('Client NPS: +30 (-6 to +58), n=20');
    expect(text).toContain('Client-of-choice score: hidden until 1 more person answers (n=2)');
    expect(text).toContain('Governance: 30 (-6 to 58), n=20');
    expect(text).toContain('Governance: hidden until both sides show');
    expect(text).toContain('NPS change since 2026-03-29');
    expect(text).toContain('Client-of-choice score: no significant change (+4 points)');
    expect(text).toContain('2026-09-22: client 70% (7/10)');
  });

  it('keeps every Slack line short enough for a phone', () => {
    const blocks = scoresBlocks(report());
    for (const b of blocks) {
      if (b.type !== 'section' || !b.text) throw new Error('expected text sections');
      expect(b.text.text.length).toBeLessThan(3000);
      for (const line of b.text.text.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    }
  });
});
