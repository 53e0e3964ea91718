import { TZDate } from '@date-fns/tz';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECK_PATTERN, DIGEST_PATTERN, syncPlanSchedulers } from '../../jobs/plan-schedulers.js';
import type { Dimension, Side } from '../../src/domain/dimension.js';
import { sendDigest } from '../../src/services/digest.js';
import { checkScoreAlerts } from '../../src/services/score-alerts.js';
import { PlanHarness, textOf } from '../support/plan-harness.js';
import { upsertAnswer } from '../../src/services/answers.js';

const MANAGERS = ['U0C01', 'U0P01'];

describe('the weekly digest, score alerts and their schedules', () => {
  let h: PlanHarness;
  beforeEach(async () => {
    h = await new PlanHarness().start();
  });
  afterEach(() => h.stop());

  let seq = 0;
  async function answers(
    side: Side,
    dimension: Dimension,
    scores: number[],
    at: string,
  ): Promise<void> {
    // Through the real write path, so the week roll-ups the scores read are kept too.
    for (const [i, score] of scores.entries()) {
      await upsertAnswer(h.rt.ctx, {
        engagementId: 'harbor',
        pulseId: `harbor--seed-${seq++}`,
        questionId: dimension,
        personId: `${side}-${i}`,
        side,
        dimension,
        scale: dimension === 'advocacy' ? 'nps' : 'agree5',
        score,
        answeredAt: new Date(at),
        source: 'import',
      });
    }
  }

  it('goes to managers and leads once a week with slips, reach and follow-through', async () => {
    await answers('client', 'governance', [1, 2, 1, 2, 1], '2026-02-03T15:00Z');
    await answers('provider', 'governance', [5, 4, 5, 4, 5], '2026-02-03T15:00Z');
    const monday = new Date('2026-02-16T14:30:00Z');
    expect(await sendDigest(h.rt.ctx, 'harbor', undefined, monday)).toBe(4);
    expect(await sendDigest(h.rt.ctx, 'harbor', undefined, monday)).toBe(0);
    const recipients = h.slack.callsOf('conversations.open').map((c) => String(c.args.users));
    expect(recipients.sort()).toEqual(['U0C01', 'U0C02', 'U0P01', 'U0P02']);
    const text = textOf(h.latestTo('U0C02'));
    expect(text).toContain('*Harbor x Meridian: weekly digest, 2026-02-16*');
    expect(text).toContain(
      'Slipped milestones:\n• terms: Agree terms of reference, due 2026-02-10',
    );
    expect(text).toContain('6 days late');
    expect(text).toContain('Perception gaps:\n• governance: -80 (client − provider)');
    expect(text).toContain('Significant score changes:\n• No significant change since last week');
    expect(text).toContain('Not reachable:\n• client: none\n• provider: p04');
    expect(text).toContain('Harbor (client): 0% on time (0 of 1)');
    expect(text).toContain('No pulses sent in the last 28 days');
    expect(await sendDigest(h.rt.ctx, 'harbor', undefined, new Date('2026-02-23T14:30Z'))).toBe(4);
  });

  it('reaches only the people of the time zone whose Monday 08:30 it is', async () => {
    const sent = await sendDigest(
      h.rt.ctx,
      'harbor',
      'Asia/Kolkata',
      new Date('2026-02-16T03:00Z'),
    );
    expect(sent).toBe(1);
    expect(h.slack.callsOf('conversations.open').map((c) => c.args.users)).toEqual(['U0P02']);
  });

  it('alerts both managers once per window to a client NPS drop and a 20-point gap', async () => {
    await answers('client', 'advocacy', [10, 10, 9, 10, 9, 10, 10, 9, 10, 10], '2025-10-15T15:00Z');
    await answers('client', 'advocacy', [2, 3, 1, 5, 2, 9, 0, 4, 6, 3], '2026-02-03T15:00Z');
    await answers('client', 'governance', [1, 2, 1, 2, 1], '2026-02-03T15:00Z');
    await answers('provider', 'governance', [5, 4, 5, 4, 5], '2026-02-03T15:00Z');
    await answers('client', 'business_alignment', [3, 4, 3], '2026-02-03T15:00Z');
    await answers('provider', 'business_alignment', [4, 3, 4], '2026-02-03T15:00Z');

    const tuesday = new Date('2026-02-17T15:00:00Z');
    expect(await checkScoreAlerts(h.rt.ctx, 'harbor', tuesday)).toBe(4);
    expect(await checkScoreAlerts(h.rt.ctx, 'harbor', tuesday)).toBe(0);
    expect(await checkScoreAlerts(h.rt.ctx, 'harbor', new Date('2026-02-20T15:00Z'))).toBe(0);
    for (const manager of MANAGERS) {
      const texts = h.messagesTo(manager).map(textOf);
      expect(texts).toEqual([
        expect.stringMatching(/client NPS dropped significantly[\s\S]*moved -\d+ points/),
        expect.stringMatching(/see governance differently[\s\S]*Meridian rates it higher/),
      ]);
    }
    expect(h.messagesTo('U0C02')).toHaveLength(0);
  });

  it('sends no alert for a gap that is small or a change that is not significant', async () => {
    await answers('client', 'advocacy', [10, 9, 6], '2025-10-15T15:00Z');
    await answers('client', 'advocacy', [9, 6, 8], '2026-02-03T15:00Z');
    await answers('client', 'governance', [4, 3, 4, 3], '2026-02-03T15:00Z');
    await answers('provider', 'governance', [4, 4, 3, 4], '2026-02-03T15:00Z');
    expect(await checkScoreAlerts(h.rt.ctx, 'harbor', new Date('2026-02-17T15:00Z'))).toBe(0);
  });

  it('schedules the 09:00 check in the engagement and Monday 08:30 digests per zone', async () => {
    await syncPlanSchedulers(h.rt.ctx);
    await syncPlanSchedulers(h.rt.ctx);
    const schedulers = await h.rt.ctx.jobs.queue.getJobSchedulers();
    const byKey = new Map(schedulers.map((s) => [s.key, s]));
    expect([...byKey.keys()].sort()).toEqual([
      'digest--harbor--America_Chicago',
      'digest--harbor--Asia_Kolkata',
      'digest--harbor--Europe_London',
      'milestones--harbor',
    ]);
    expect(byKey.get('milestones--harbor')).toMatchObject({
      pattern: CHECK_PATTERN,
      tz: 'America/Chicago',
    });
    const kolkata = byKey.get('digest--harbor--Asia_Kolkata');
    expect(kolkata).toMatchObject({ pattern: DIGEST_PATTERN, tz: 'Asia/Kolkata' });
    const next = new TZDate(kolkata?.next ?? 0, 'Asia/Kolkata');
    expect([next.getDay(), next.getHours(), next.getMinutes()]).toEqual([1, 8, 30]);
  });
});
