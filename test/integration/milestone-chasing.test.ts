import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkMilestones } from '../../src/services/milestone-check.js';
import { PlanHarness, textOf } from '../support/plan-harness.js';
import { waitFor } from '../support/wait.js';

const OWNERS = ['U0C03', 'U0P03'];
const LEADS = ['U0C02', 'U0P02'];

describe('chasing a milestone due 2026-02-10 in Chicago', () => {
  let h: PlanHarness;
  beforeEach(async () => {
    h = await new PlanHarness().start();
  });
  afterEach(() => h.stop());

  const posts = () => h.slack.callsOf('chat.postMessage').length;
  const sentTo = () =>
    h.slack
      .callsOf('conversations.open')
      .map((c) => String(c.args.users))
      .sort();

  it('reminds owners two days ahead, nudges on the due day, +2, +5, then escalates', async () => {
    const log: Record<string, number> = {};
    for (const day of ['07', '08', '09', '10', '11', '12', '13', '15', '16', '17', '20']) {
      const before = posts();
      await h.check(`2026-02-${day}`);
      await h.check(`2026-02-${day}`);
      log[day] = posts() - before;
    }
    expect(log).toEqual({
      '07': 0,
      '08': 2,
      '09': 0,
      '10': 2,
      '11': 0,
      '12': 2,
      '13': 0,
      '15': 2,
      '16': 0,
      '17': 2,
      '20': 0,
    });
    const toOwners = OWNERS.flatMap((u) => h.messagesTo(u).map(textOf));
    expect(toOwners.filter((t) => t.includes('due in 2 days'))).toHaveLength(2);
    expect(toOwners.filter((t) => t.includes('due today'))).toHaveLength(2);
    expect(toOwners.filter((t) => t.includes('2 days late'))).toHaveLength(2);
    expect(toOwners.filter((t) => t.includes('5 days late'))).toHaveLength(2);
    for (const lead of LEADS) {
      expect(h.messagesTo(lead).map(textOf)).toEqual([
        expect.stringContaining('Escalation: milestone 7 days late: Agree terms of reference'),
      ]);
    }
  });

  it('sends only the current step when checks were missed, not a burst of stale ones', async () => {
    const summary = await h.check('2026-02-16');
    expect(summary).toMatchObject({ reminders: 0, nudges: 2, escalations: 0 });
    expect(h.messagesTo('U0C03').map(textOf)).toEqual([expect.stringContaining('6 days late')]);
  });

  it('puts Done, Re-plan and Blocked on every nudge', async () => {
    await h.check('2026-02-10');
    const blocks = JSON.stringify(h.latestTo('U0C03').blocks);
    for (const action of ['milestone-done', 'milestone-replan', 'milestone-blocked']) {
      expect(blocks).toContain(`notice--${action}--`);
    }
  });

  it('sends nothing more once an owner clicks Done, and says so in the message', async () => {
    await h.check('2026-02-10');
    expect(await h.click('U0P03', h.latestTo('U0P03'), 'milestone-done')).toBe(200);
    await waitFor(async () => {
      const m = await h.rt.ctx.store.milestones.findById('harbor--terms').lean();
      expect(m).toMatchObject({ state: 'done', doneOn: '2026-02-10', doneBy: 'p03' });
    });
    await waitFor(() => expect(textOf(h.latestTo('U0P03'))).toMatch(/^\*Done: Agree terms/));
    expect(h.latestTo('U0P03').blocks.some((b) => (b as { type: string }).type === 'actions')).toBe(
      false,
    );
    const before = posts();
    for (const day of ['12', '15', '17', '24']) await h.check(`2026-02-${day}`);
    expect(posts()).toBe(before);
  });

  it('lets nobody outside the action mark it done', async () => {
    await h.check('2026-02-10');
    const message = h.latestTo('U0C03');
    // The relationship manager is neither an owner nor a governance lead.
    await h.click('U0C01', message, 'milestone-done');
    await waitFor(() =>
      expect(h.repliesTo('U0C01', 'milestone-done')).toEqual([
        expect.stringMatching(/Only the owners/),
      ]),
    );
    const m = await h.rt.ctx.store.milestones.findById('harbor--terms').lean();
    expect(m?.state).toBe('open');
  });

  it('re-plans with a date and a reason, keeping history and starting a new cycle', async () => {
    await h.check('2026-02-12');
    await h.click('U0C03', h.latestTo('U0C03'), 'milestone-replan');
    await waitFor(() => expect(textOf(h.latestTo('U0C03'))).toMatch(/^\*Re-plan:/));
    const form = h.latestTo('U0C03');
    expect(JSON.stringify(form.blocks)).toContain('"type":"datepicker"');

    await h.click('U0C03', form, 'milestone-replan-save', { reason: { value: 'board moved' } });
    await waitFor(() =>
      expect(h.repliesTo('U0C03', 'milestone-replan-save')).toEqual([
        'Not saved: due: is required',
      ]),
    );
    expect((await h.rt.ctx.store.milestones.findById('harbor--terms').lean())?.due).toBe(
      '2026-02-10',
    );

    await h.click('U0C03', form, 'milestone-replan-save', {
      due: { selected_date: '2026-02-24' },
      reason: { value: 'board moved to the 24th' },
    });
    await waitFor(async () => {
      const m = await h.rt.ctx.store.milestones.findById('harbor--terms').lean();
      expect(m?.due).toBe('2026-02-24');
    });
    const m = await h.rt.ctx.store.milestones.findById('harbor--terms').lean();
    expect(m?.originalDue).toBe('2026-02-10');
    expect(m?.replans).toMatchObject([
      { from: '2026-02-10', to: '2026-02-24', reason: 'board moved to the 24th', by: 'c03' },
    ]);
    await waitFor(() => expect(textOf(h.latestTo('U0C03'))).toMatch(/Re-planned once/));

    const before = posts();
    await h.check('2026-02-17');
    expect(posts()).toBe(before);
    const reminder = await h.check('2026-02-22');
    expect(reminder.reminders).toBe(2);
    const list = await h.slash('U0C03', 'actions');
    const text = list.blocks?.map((b) => b.text.text).join('\n') ?? '';
    expect(text).toContain('terms: Agree terms of reference, due 2026-02-24, open');
    expect(text).toContain('re-planned 1×, 12 days late');
  });

  it('refuses a re-plan to a date that has passed, naming the field', async () => {
    await h.check('2026-02-12');
    await h.click('U0C03', h.latestTo('U0C03'), 'milestone-replan');
    await waitFor(() => expect(textOf(h.latestTo('U0C03'))).toMatch(/^\*Re-plan:/));
    await h.click('U0C03', h.latestTo('U0C03'), 'milestone-replan-save', {
      due: { selected_date: '2026-02-11' },
      reason: { value: 'oops' },
    });
    await waitFor(() =>
      expect(h.repliesTo('U0C03', 'milestone-replan-save')[0]).toMatch(
        /^Not saved: due: 2026-02-11 has passed/,
      ),
    );
    const m = await h.rt.ctx.store.milestones.findById('harbor--terms').lean();
    expect(m?.replans).toHaveLength(0);
  });

  it('alerts both governance leads once when an owner reports it blocked', async () => {
    await h.check('2026-02-10');
    await h.click('U0P03', h.latestTo('U0P03'), 'milestone-blocked');
    await waitFor(() => expect(textOf(h.latestTo('U0P03'))).toMatch(/^\*Blocked:/));
    const form = h.latestTo('U0P03');
    const reason = { reason: { value: 'waiting on legal review' } };
    await Promise.all([
      h.click('U0P03', form, 'milestone-blocked-save', reason),
      h.click('U0P03', form, 'milestone-blocked-save', reason),
    ]);
    await waitFor(() => {
      for (const lead of LEADS) {
        expect(h.messagesTo(lead).map(textOf)).toEqual([
          expect.stringMatching(/Blocked milestone: Agree terms[\s\S]*waiting on legal review/),
        ]);
      }
    });
    await waitFor(async () => {
      const m = await h.rt.ctx.store.milestones.findById('harbor--terms').lean();
      expect(m?.blocks.map((b) => b.reason)).toEqual(['waiting on legal review']);
    });
    expect(sentTo().filter((u) => LEADS.includes(u))).toHaveLength(2);
  });

  it('sends a step once even when two checks race, and never after a lost claim', async () => {
    h.rt.clock.now = new Date('2026-02-10T15:00:00Z');
    const [a, b] = await Promise.all([
      checkMilestones(h.rt.ctx, 'harbor', h.rt.clock.now),
      checkMilestones(h.rt.ctx, 'harbor', h.rt.clock.now),
    ]);
    expect(a.nudges + b.nudges).toBe(2);
    expect(posts()).toBe(2);
    // A process that crashed after claiming the +2 nudge for c03 leaves the claim behind.
    await h.rt.ctx.store.planNotices.create({
      _id: 'step--harbor--terms--2026-02-10--late-2--c03',
      engagementId: 'harbor',
      kind: 'late-2',
      personId: 'c03',
      state: 'claimed',
      claimedAt: new Date('2026-02-12T15:00:00Z'),
    });
    const later = await h.check('2026-02-12');
    expect(later.nudges).toBe(1);
    expect(h.messagesTo('U0C03')).toHaveLength(1);
    expect(h.messagesTo('U0P03')).toHaveLength(2);
  });

  it('turns slipped only once the due date has passed in Chicago', async () => {
    const status = async (iso: string) => {
      h.rt.clock.now = new Date(iso);
      const reply = await h.slash('U0C03', 'actions');
      return reply.blocks?.map((b) => b.text.text).join('\n') ?? '';
    };
    // 23:30 on the due day in Chicago is already the 11th in UTC.
    expect(await status('2026-02-11T05:30:00Z')).toContain('due 2026-02-10, open');
    expect(await status('2026-02-11T06:30:00Z')).toContain('due 2026-02-10, slipped');
  });
});
