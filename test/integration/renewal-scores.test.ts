import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScoresReport } from '../../src/services/scores.js';
import { runCli } from '../support/processes.js';
import { testRuntime, type TestRuntime } from '../support/runtime.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/renewal/', import.meta.url));

interface Expected {
  snapshots: Array<{
    as_of: string;
    window_start: string;
    figures: Record<string, Record<string, number | boolean>>;
  }>;
  change: Record<'client' | 'provider', Record<string, number | boolean>>;
}

const FIGURE_FIELDS = [
  'n',
  'people',
  'value',
  'low',
  'high',
  'adjusted',
  'promoters',
  'detractors',
];

describe('the renewal scenario, imported from its CSV', () => {
  let rt: TestRuntime;
  let expected: Expected;

  const scores = async (...args: string[]): Promise<ScoresReport> => {
    const out = await runCli(rt.env, ['scores', 'harbor-meridian', '--json', ...args]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    return JSON.parse(out.stdout) as ScoresReport;
  };

  beforeAll(async () => {
    rt = await testRuntime();
    expected = JSON.parse(await readFile(`${FIXTURES}expected.json`, 'utf8')) as Expected;
    const imported = await runCli(rt.env, ['import', `${FIXTURES}engagement.yaml`]);
    expect(imported.code).toBe(0);
    const answers = await runCli(rt.env, ['answers', 'import', `${FIXTURES}answers.csv`]);
    expect(answers.stderr).toBe('');
    expect(answers.stdout).toContain('1032 rows, 1032 added, 0 replaced, 0 unchanged');
  }, 600_000);
  afterAll(() => rt?.dispose());

  it('gives every figure of expected.json at its three as-of times, within 0.01', async () => {
    for (const snap of expected.snapshots) {
      const report = await scores('--as-of', snap.as_of);
      expect(new Date(report.windowStart).getTime()).toBe(new Date(snap.window_start).getTime());
      expect(report.windowStart).toBe(snap.window_start.replace(/\+00:00$/, 'Z'));
      let checked = 0;
      for (const [key, want] of Object.entries(snap.figures)) {
        const [group, dimension] = key.split('/') as [string, string];
        const got = (group === 'gap'
          ? report.gaps[dimension as keyof ScoresReport['gaps']]
          : report.sides[group as 'client' | 'provider'][dimension as 'advocacy']) as unknown as
          Record<string, number | boolean | null> | undefined;
        expect(got, `${snap.as_of} ${key}`).toBeDefined();
        for (const [field, value] of Object.entries(want)) {
          const where = `${snap.as_of} ${key}.${field}`;
          if (field === 'shown') {
            expect(got!.value !== null, where).toBe(value);
          } else if (field === 'significant') {
            expect(got!.significant, where).toBe(value);
          } else {
            expect(FIGURE_FIELDS).toContain(field);
            expect(Math.abs((got![field] as number) - (value as number)), where).toBeLessThan(0.01);
          }
          checked += 1;
        }
      }
      expect(checked).toBeGreaterThan(100);
    }
  }, 120_000);

  it('shows the client NPS rising significantly from −50 to +25 between the first 2', async () => {
    const [first, second] = expected.snapshots;
    const report = await scores('--as-of', second!.as_of, '--since', first!.as_of);
    for (const side of ['client', 'provider'] as const) {
      const want = expected.change[side];
      const got = report.change![side]!;
      expect(Math.abs(got.delta - (want.delta_adjusted as number))).toBeLessThan(0.01);
      expect(Math.abs(got.deltaValue - (want.delta_value as number))).toBeLessThan(0.01);
      expect(got.significant).toBe(want.significant);
    }
    expect(report.sides.client.advocacy.value).toBe(25);
  });

  it('adds nothing when the same file is imported again', async () => {
    const before = await scores('--as-of', expected.snapshots[1]!.as_of);
    const again = await runCli(rt.env, ['answers', 'import', `${FIXTURES}answers.csv`]);
    expect(again.stdout).toContain('1032 rows, 0 added, 0 replaced, 1032 unchanged');
    expect(await rt.ctx.store.answers.countDocuments()).toBe(1032);
    expect(await scores('--as-of', expected.snapshots[1]!.as_of)).toEqual(before);
  }, 600_000);

  it('gives identical figures after `scores rebuild` recomputes the roll-ups', async () => {
    const reports = [];
    for (const snap of expected.snapshots) reports.push(await scores('--as-of', snap.as_of));
    const zero = { promoters: 0, passives: 0, detractors: 0, count: 0, sum: 0, sumSquares: 0 };
    await rt.ctx.store.rollups.updateMany({}, { $set: { ...zero, people: {}, lastAt: null } });
    const broken = await scores('--as-of', expected.snapshots[0]!.as_of);
    expect(broken.sides.client.advocacy.n).toBe(0);
    const rebuilt = await runCli(rt.env, ['scores', 'rebuild', 'harbor-meridian']);
    expect(rebuilt.stdout).toMatch(/roll-ups rebuilt: 1032 answers in \d+ weeks/);
    for (const [i, snap] of expected.snapshots.entries()) {
      expect(await scores('--as-of', snap.as_of)).toEqual(reports[i]);
    }
  }, 300_000);
});
