import { afterEach, describe, expect, it } from 'vitest';
import { figureLine } from '../../adapters/render-scores.js';
import { weekDocId } from '../../src/domain/rollup.js';
import { recordClick } from '../../src/services/answers.js';
import { sendPulseNow } from '../../src/services/pulses.js';
import { rebuildRollups, rollupCollection } from '../../src/services/rollups.js';
import { scoresOf } from '../../src/services/scores.js';
import { testRuntime, type TestRuntime } from '../support/runtime.js';

const YAML = `
engagements:
  - id: acme-globex
    name: Acme x Globex
    client: Acme
    provider: Globex
    timezone: America/Chicago
    cadence: { every: 1 week, on: monday, at: "10:00", startsOn: 2026-01-05 }
    privacyThreshold: 3
    people:
      - { id: c1, side: client, roles: [relationship_manager], slack: { team: T1, user: U1 } }
      - { id: c2, side: client, slack: { team: T1, user: U2 } }
      - { id: c3, side: client, slack: { team: T1, user: U3 } }
      - { id: p1, side: provider, slack: { team: T1, user: U4 } }
      - { id: p2, side: provider, slack: { team: T1, user: U5 } }
`;

describe('roll-ups kept on every click', () => {
  let rt: TestRuntime;
  afterEach(() => rt?.dispose());

  async function pulse() {
    rt = await testRuntime({ now: new Date('2026-03-04T15:00:00Z') });
    await rt.importYaml(YAML);
    const started = await sendPulseNow(rt.ctx, 'acme-globex');
    if (started.kind !== 'started') throw new Error(started.kind);
    return (person: string, user: string, score: number) =>
      recordClick(rt.ctx, {
        deliveryId: `${started.pulseId}--${person}`,
        questionId: 'advocacy',
        score,
        identity: { platform: 'slack', team: 'T1', user },
      });
  }

  const week = () =>
    rollupCollection(rt.ctx.store).findOne({ _id: weekDocId('acme-globex', '2026-03-02') });

  it('moves a replaced answer from detractor to promoter exactly once', async () => {
    const click = await pulse();
    await click('c1', 'U1', 3);
    await click('c2', 'U2', 9);
    await click('c3', 'U3', 10);
    let report = await scoresOf(rt.ctx.store, 'acme-globex', rt.clock.now);
    expect(report?.sides.client.advocacy).toMatchObject({ n: 3, promoters: 2, detractors: 1 });

    rt.clock.now = new Date('2026-03-04T15:05:00Z');
    expect(await click('c1', 'U1', 10)).toMatchObject({ kind: 'recorded', previous: 3 });
    report = await scoresOf(rt.ctx.store, 'acme-globex', rt.clock.now);
    expect(report?.sides.client.advocacy).toMatchObject({
      n: 3,
      people: 3,
      promoters: 3,
      detractors: 0,
      value: 100,
    });
    const cell = (await week())?.client?.advocacy;
    expect(cell).toMatchObject({ promoters: 3, detractors: 0 });
    expect(Object.keys(cell?.entries ?? {})).toHaveLength(3);
  });

  it('changes nothing for a repeated identical click, not even the answer time', async () => {
    const click = await pulse();
    await click('c1', 'U1', 3);
    const before = await week();
    const answer = await rt.ctx.store.answers.findOne({ personId: 'c1' }).lean();
    rt.clock.now = new Date('2026-03-05T15:00:00Z');
    expect(await click('c1', 'U1', 3)).toMatchObject({ kind: 'recorded', previous: 3 });
    expect(await week()).toEqual(before);
    const again = await rt.ctx.store.answers.findOne({ personId: 'c1' }).lean();
    expect(again?.answeredAt).toEqual(answer?.answeredAt);
  });

  it('counts two racing different clicks as the last stored one', async () => {
    const click = await pulse();
    await Promise.all([click('c1', 'U1', 2), click('c1', 'U1', 10), click('c1', 'U1', 8)]);
    const stored = await rt.ctx.store.answers.findOne({ personId: 'c1' }).lean();
    const cell = (await week())?.client?.advocacy;
    const total = (cell?.promoters ?? 0) + (cell?.passives ?? 0) + (cell?.detractors ?? 0);
    expect(total).toBe(1);
    expect(Object.values(cell?.entries ?? {}).map((e) => e.s)).toEqual([stored?.score]);
  });

  it('repairs a roll-up that missed an answer on the next identical click', async () => {
    const click = await pulse();
    await click('c1', 'U1', 3);
    // As if the process had stopped between the answer write and the roll-up write.
    await rollupCollection(rt.ctx.store).deleteMany({});
    await click('c1', 'U1', 3);
    expect((await week())?.client?.advocacy).toMatchObject({ detractors: 1 });
  });

  it('hides a figure below the privacy threshold, saying how many more must answer', async () => {
    const click = await pulse();
    await click('c1', 'U1', 9);
    const report = await scoresOf(rt.ctx.store, 'acme-globex', rt.clock.now);
    const nps = report!.sides.client.advocacy;
    expect(nps).toMatchObject({ n: 1, people: 1, value: null, low: null, high: null, needed: 2 });
    expect(nps.promoters).toBeNull();
    expect(figureLine('Client NPS', nps, true)).toBe(
      'Client NPS: hidden until 2 more people answer (n=1)',
    );
    await click('c2', 'U2', 9);
    const two = await scoresOf(rt.ctx.store, 'acme-globex', rt.clock.now);
    expect(two!.sides.client.advocacy).toMatchObject({ value: null, needed: 1 });
    await click('c3', 'U3', 0);
    const three = await scoresOf(rt.ctx.store, 'acme-globex', rt.clock.now);
    expect(three!.sides.client.advocacy).toMatchObject({ needed: 0 });
    expect(three!.sides.client.advocacy.value).toBeCloseTo(100 / 3, 6);
  });

  it('gives the same figures after a rebuild from the stored answers', async () => {
    const click = await pulse();
    await click('c1', 'U1', 3);
    await click('c2', 'U2', 7);
    await click('c1', 'U1', 9);
    const before = await scoresOf(rt.ctx.store, 'acme-globex', rt.clock.now);
    const cell = (await week())?.client?.advocacy;
    expect(await rebuildRollups(rt.ctx.store, 'acme-globex')).toEqual({ answers: 2, weeks: 1 });
    expect(await scoresOf(rt.ctx.store, 'acme-globex', rt.clock.now)).toEqual(before);
    expect((await week())?.client?.advocacy).toMatchObject({
      promoters: cell?.promoters ?? 0,
      passives: cell?.passives ?? 0,
      detractors: cell?.detractors ?? 0,
    });
  });
});
