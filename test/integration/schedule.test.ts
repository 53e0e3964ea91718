import { afterEach, describe, expect, it } from 'vitest';
import { nextDeliveries } from '../../src/services/schedule.js';
import { runCli } from '../support/processes.js';
import { testRuntime, type TestRuntime } from '../support/runtime.js';

const YAML = `
engagements:
  - id: harbor
    name: Harbor x Meridian
    client: Harbor
    provider: Meridian
    timezone: America/Chicago
    cadence: { every: 1 week, on: monday, at: "09:30", startsOn: 2026-03-02 }
    quietHours: { from: "19:00", to: "08:00", weekends: true }
    people:
      - { id: c1, side: client, slack: { team: T1, user: U1 } }
      - { id: c2, side: client, slack: { team: T1, user: U2 }, timezone: Pacific/Auckland }
      - { id: p1, side: provider, slack: { team: T1, user: U3 }, timezone: Asia/Kolkata }
      - { id: p2, side: provider, teams: { tenant: t, user: u } }
`;

interface ScheduleJson {
  engagement: string;
  people: { id: string; timezone: string; status: string; next: string[] }[];
}

describe('rapport schedule', () => {
  let rt: TestRuntime;
  afterEach(() => rt?.dispose());

  it('lists the next five deliveries in UTC, saying who is paused or unreachable', async () => {
    rt = await testRuntime();
    await rt.importYaml(YAML);
    await rt.ctx.store.people.updateOne(
      { personId: 'p1' },
      { $set: { pausedUntil: new Date('2026-03-20T00:00:00Z') } },
    );
    const result = await runCli(rt.env, [
      'schedule',
      'harbor',
      '--from',
      '2026-03-02T00:00Z',
      '--json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as ScheduleJson;
    expect(json.engagement).toBe('harbor');
    const byId = Object.fromEntries(json.people.map((p) => [p.id, p]));
    // Chicago moves to daylight time on 8 March: 09:30 stays 09:30 local.
    expect(byId.c1).toEqual({
      id: 'c1',
      timezone: 'America/Chicago',
      status: 'active',
      next: [
        '2026-03-02T15:30:00.000Z',
        '2026-03-09T14:30:00.000Z',
        '2026-03-16T14:30:00.000Z',
        '2026-03-23T14:30:00.000Z',
        '2026-03-30T14:30:00.000Z',
      ],
    });
    // Each person gets the occurrence on its date in their own zone: Monday 2 March 09:30
    // in Auckland (+13) was before --from, so the first listed is Monday 9 March.
    expect(byId.c2?.next[0]).toBe('2026-03-08T20:30:00.000Z');
    expect(byId.p1).toMatchObject({ status: 'paused', timezone: 'Asia/Kolkata' });
    expect(byId.p1?.next[0]).toBe('2026-03-23T04:00:00.000Z');
    expect(byId.p2).toMatchObject({ status: 'unreachable', next: [] });

    const text = await runCli(rt.env, ['schedule', 'harbor', '--from', '2026-03-02T00:00Z']);
    expect(text.stdout).toContain('c1  America/Chicago  active');
    expect(text.stdout).toContain('Mon 2026-03-09 09:30 local  2026-03-09T14:30:00.000Z');
    expect(text.stdout).toContain('p1  Asia/Kolkata  paused until 2026-03-20T00:00:00.000Z');
  });

  it('refuses an unknown engagement or a bad time with one line', async () => {
    rt = await testRuntime();
    const unknown = await runCli(rt.env, ['schedule', 'nope']);
    expect(unknown).toMatchObject({
      code: 1,
      stderr: 'rapport: engagement: no engagement "nope"\n',
    });
    const bad = await runCli(rt.env, ['schedule', 'nope', '--from', 'tomorrow']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('next deliveries', () => {
  const weekly = {
    unit: 'week' as const,
    every: 1,
    on: 'sunday' as const,
    at: '02:30',
    startsOn: '2026-03-01',
  };

  it('move a skipped local time forward, and a weekend one to Monday outside the night', () => {
    const from = new Date('2026-03-07T00:00:00Z');
    const ny = nextDeliveries(weekly, 'America/New_York', 'America/New_York', null, from, 2);
    expect(ny.map((d) => d.toISOString())).toEqual([
      '2026-03-08T07:30:00.000Z',
      '2026-03-15T06:30:00.000Z',
    ]);
    const quiet = { from: '19:00', to: '08:00', weekends: true };
    const moved = nextDeliveries(weekly, 'America/New_York', 'America/New_York', quiet, from, 1);
    expect(moved.map((d) => d.toISOString())).toEqual(['2026-03-09T12:00:00.000Z']);
  });
});
