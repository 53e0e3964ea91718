import { afterEach, describe, expect, it } from 'vitest';
import { figureLine } from '../../adapters/render-scores.js';
import { cellId } from '../../src/domain/rollup.js';
import { recordClick } from '../../src/services/answers.js';
import { sendPulseNow } from '../../src/services/pulses.js';
import { PendingRollup } from '../../src/services/rollup-marks.js';
import { rebuildRollups } from '../../src/services/rollup-rebuild.js';
import { recoverRollups } from '../../src/services/rollup-recovery.js';
import { answerCollection, rollupCollection, rollupsSettled } from '../../src/services/rollups.js';
import { scoresOf } from '../../src/services/scores.js';
import { acmeGlobexYaml } from '../support/engagement-yaml.js';
import { testRuntime, type TestRuntime } from '../support/runtime.js';

const YAML = acmeGlobexYaml(
  `
      - { id: c1, side: client, roles: [relationship_manager], slack: { team: T1, user: U1 } }
      - { id: c2, side: client, slack: { team: T1, user: U2 } }
      - { id: c3, side: client, slack: { team: T1, user: U3 } }
      - { id: p1, side: provider, slack: { team: T1, user: U4 } }
      - { id: p2, side: provider, slack: { team: T1, user: U5 } }
`,
  'America/Chicago',
  { privacyThreshold: 3 },
);

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

  /** The client side's NPS roll-up of the pulse's week. */
  const week = async () => {
    await rollupsSettled(rt.ctx.store, 'acme-globex');
    return rollupCollection(rt.ctx.store).findOne({
      _id: cellId({
        engagementId: 'acme-globex',
        week: '2026-03-02',
        side: 'client',
        dimension: 'advocacy',
      }),
    });
  };

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
    expect(await week()).toMatchObject({
      promoters: 3,
      detractors: 0,
      people: { c1: 1, c2: 1, c3: 1 },
    });
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
    const cell = await week();
    const band = stored!.score >= 9 ? 'promoters' : stored!.score >= 7 ? 'passives' : 'detractors';
    expect(cell?.[band]).toBe(1);
    expect((cell?.promoters ?? 0) + (cell?.passives ?? 0) + (cell?.detractors ?? 0)).toBe(1);
    expect(cell?.people).toEqual({ c1: 1 });
  });

  it('recomputes the week of a write that stopped between answer and roll-up', async () => {
    const click = await pulse();
    await click('c2', 'U2', 9);
    // As if the process had stopped after writing c1's answer: the mark stays, no roll-up.
    await PendingRollup.open(rt.ctx, 'lost', 'acme-globex', '2026-03-02');
    const c2 = await answerCollection(rt.ctx.store).findOne({ personId: 'c2' });
    await answerCollection(rt.ctx.store).insertOne({
      ...c2!,
      _id: 'lost',
      personId: 'c1',
      score: 2,
    });
    expect(await week()).toMatchObject({ promoters: 1, people: { c2: 1 } });

    expect(await recoverRollups(rt.ctx)).toEqual({ marks: 0, weeks: 0 });
    rt.clock.now = new Date(rt.clock.now.getTime() + 6 * 60_000);
    expect(await recoverRollups(rt.ctx)).toEqual({ marks: 1, weeks: 1 });
    expect(await week()).toMatchObject({
      promoters: 1,
      detractors: 1,
      people: { c1: 1, c2: 1 },
    });
    expect(await recoverRollups(rt.ctx)).toEqual({ marks: 0, weeks: 0 });
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
    const cell = await week();
    expect(await rebuildRollups(rt.ctx, 'acme-globex')).toEqual({ answers: 2, weeks: 1 });
    expect(await scoresOf(rt.ctx.store, 'acme-globex', rt.clock.now)).toEqual(before);
    expect(await week()).toMatchObject({
      promoters: cell?.promoters ?? 0,
      passives: cell?.passives ?? 0,
      detractors: cell?.detractors ?? 0,
      people: cell?.people,
      lastAt: cell?.lastAt,
    });
  });
});
