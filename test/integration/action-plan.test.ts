import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseEngagementFile } from '../../src/config/engagement-file.js';
import { addAction } from '../../src/services/action-plan.js';
import { importEngagements } from '../../src/services/engagement-import.js';
import { markDone } from '../../src/services/milestone-updates.js';
import { PLAN_YAML, PlanHarness, textOf } from '../support/plan-harness.js';
import { runCli } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

describe('the joint action plan', () => {
  let h: PlanHarness;
  beforeEach(async () => {
    h = await new PlanHarness().start();
  });
  afterEach(() => h.stop());

  const store = () => h.rt.ctx.store;

  it('comes from the engagement file and keeps its state and history on re-import', async () => {
    expect(await store().actionItems.countDocuments()).toBe(1);
    h.rt.clock.now = new Date('2026-02-09T15:00:00Z');
    await markDone(h.rt.ctx, 'harbor--terms', 'c03');
    const again = await importEngagements(store(), parseEngagementFile(PLAN_YAML));
    expect(again.actions).toEqual({ items: 1, milestones: 1 });
    const terms = await store().milestones.findById('harbor--terms').lean();
    expect(terms).toMatchObject({ state: 'done', doneOn: '2026-02-09', due: '2026-02-10' });
  });

  it('treats a due date changed in the file as a re-plan, kept in the history', async () => {
    const moved = PLAN_YAML.replace('due: 2026-02-10', 'due: 2026-02-20');
    await importEngagements(store(), parseEngagementFile(moved), new Date('2026-02-05T12:00Z'));
    await importEngagements(store(), parseEngagementFile(moved), new Date('2026-02-06T12:00Z'));
    const terms = await store().milestones.findById('harbor--terms').lean();
    expect(terms).toMatchObject({ due: '2026-02-20', originalDue: '2026-02-10', state: 'open' });
    expect(terms?.replans).toMatchObject([
      { from: '2026-02-10', to: '2026-02-20', reason: 'changed in the engagement file' },
    ]);
  });

  it('refuses a file whose milestone ids repeat, naming the path', () => {
    const twice = PLAN_YAML.replace(
      '          - { id: terms, title: Agree terms of reference, due: 2026-02-10 }',
      '          - { id: terms, title: A, due: 2026-02-10 }\n' +
        '          - { id: terms, title: B, due: 2026-02-11 }',
    );
    expect(() => parseEngagementFile(twice)).toThrow(
      /engagements\[0\]\.actions\[0\]\.milestones\[1\]\.id: repeats/,
    );
  });

  it('is added, listed and settled by CLI; bad input is one line naming a field', async () => {
    const env = h.rt.env;
    const add = (...args: string[]) => runCli(env, ['actions', 'add', 'harbor', ...args]);
    const base = ['--title', 'Joint reporting', '--owners', 'c03,p03'];
    const cases: [string[], RegExp][] = [
      [[...base, '--dimension', 'vibes'], /^rapport: dimension: must be one of advocacy/],
      [
        ['--title', 'X', '--dimension', 'governance', '--owners', 'c03,zz9'],
        /^rapport: owners: no active person "zz9" in harbor/,
      ],
      [
        [...base, '--dimension', 'governance', '--milestone', '2026-02-30 Draft'],
        /^rapport: milestones\.0\.due: must be a real date/,
      ],
    ];
    for (const [args, message] of cases) {
      const out = await add(...args);
      expect(out.code).toBe(1);
      expect(out.stderr.trim().split('\n')).toHaveLength(1);
      expect(out.stderr).toMatch(message);
    }
    const unknown = await runCli(env, ['actions', 'list', 'nope']);
    expect([unknown.code, unknown.stderr.trim()]).toEqual([
      1,
      'rapport: engagement: no engagement "nope"',
    ]);
    expect(await store().actionItems.countDocuments()).toBe(1);

    const ok = await add(
      ...base,
      '--dimension',
      'operational_performance',
      '--milestone',
      '2026-03-02 Draft outcome measures',
      '--milestone',
      '2026-03-16 First joint report',
    );
    expect(ok.stdout.trim()).toBe(
      'action joint-reporting added with joint-reporting-1, joint-reporting-2',
    );
    const list = await runCli(env, ['actions', 'list', 'harbor', '--as-of', '2026-03-03T15:00Z']);
    expect(list.stdout).toContain('joint-reporting: Joint reporting');
    expect(list.stdout).toContain('owners Cody (client), Priya (provider)');
    expect(list.stdout).toContain(
      'joint-reporting-1: Draft outcome measures, due 2026-03-02, slipped (1 days late)',
    );
    const done = await runCli(env, ['actions', 'done', 'harbor', 'joint-reporting-2']);
    expect(done.stdout).toMatch(/^milestone joint-reporting-2 done on \d{4}-\d{2}-\d{2}/);
    const twice = await runCli(env, ['actions', 'done', 'harbor', 'joint-reporting-2']);
    expect(twice.stdout).toMatch(/was done already/);
    const missing = await runCli(env, ['actions', 'done', 'harbor', 'nope']);
    expect(missing.stderr.trim()).toBe('rapport: milestone: no milestone "nope" in harbor');
  }, 90_000);

  it('is re-planned by CLI with a date and a reason, or refused naming the field', async () => {
    const replan = (...args: string[]) =>
      runCli(h.rt.env, ['actions', 'replan', 'harbor', 'terms', ...args]);
    const noReason = await replan('--due', '2099-03-01');
    expect([noReason.code, noReason.stderr.trim()]).toEqual([
      1,
      "error: required option '--reason <text>' not specified",
    ]);
    const badDate = await replan('--due', '1 March', '--reason', 'board moved');
    expect(badDate.stderr.trim()).toBe('rapport: due: must be a date yyyy-mm-dd');
    const ok = await replan('--due', '2099-03-01', '--reason', 'board moved');
    expect(ok.stdout.trim()).toBe('milestone terms re-planned to 2099-03-01');
    const terms = await store().milestones.findById('harbor--terms').lean();
    expect(terms?.replans).toMatchObject([
      { from: '2026-02-10', to: '2099-03-01', reason: 'board moved', by: 'cli' },
    ]);
  }, 60_000);

  it('is listed with /rapport actions and grows from the chat form', async () => {
    const refused = await h.slash('U0C03', 'actions add');
    expect(refused.text).toMatch(/Only governance leads and relationship managers/);
    const sent = await h.slash('U0P01', 'actions add');
    expect(sent.text).toBe('I sent you a form to add an action.');
    const form = h.latestTo('U0P01');
    expect(textOf(form)).toMatch(/^\*New action for Harbor x Meridian/);

    await h.click('U0P01', form, 'action-add', {
      dimension: { value: 'governance' },
      owners: { value: 'c02, p02' },
    });
    await waitFor(() =>
      expect(h.repliesTo('U0P01', 'action-add')).toEqual(['Not saved: title: is required']),
    );
    expect(await store().actionItems.countDocuments()).toBe(1);

    await h.click('U0P01', form, 'action-add', {
      title: { value: 'Quarterly value review' },
      dimension: { value: 'Future value alignment' },
      owners: { value: 'c02, p02' },
      milestone: { value: 'First review held' },
      due: { selected_date: '2026-03-31' },
    });
    await waitFor(async () =>
      expect(
        await store().actionItems.findById('harbor--quarterly-value-review').lean(),
      ).toMatchObject({
        dimension: 'future_value_alignment',
        owners: ['c02', 'p02'],
        source: 'chat',
      }),
    );
    await waitFor(() => expect(textOf(h.latestTo('U0P01'))).toMatch(/^\*Added action/));
    const list = await h.slash('U0C01', 'actions');
    const text = list.blocks?.map((b) => b.text.text).join('\n') ?? '';
    expect(text).toContain('*quarterly-value-review: Quarterly value review*');
    expect(text).toContain('quarterly-value-review-1: First review held, due 2026-03-31, open');
    expect((await h.slash('U0C01', 'actions other')).text).toMatch(/no part in an engagement/);
  });

  it('shows each side’s follow-through in the scores reply', async () => {
    await addAction(
      store(),
      'harbor',
      {
        title: 'Provider staffing plan',
        dimension: 'operational_performance',
        owners: ['p03'],
        milestones: [{ title: 'Plan shared', due: '2026-02-05' }],
      },
      'cli',
    );
    h.rt.clock.now = new Date('2026-02-09T15:00:00Z');
    await markDone(h.rt.ctx, 'harbor--terms', 'c03');
    h.rt.clock.now = new Date('2026-02-12T15:00:00Z');
    const reply = await h.slash('U0C01', 'scores');
    const text = reply.blocks?.map((b) => b.text.text).join('\n') ?? '';
    expect(text).toContain('*Follow-through: milestones on time*');
    expect(text).toContain('Harbor (client): 100% on time (1 of 1)');
    expect(text).toContain('Meridian (provider): 50% on time (1 of 2)');
  });
});
