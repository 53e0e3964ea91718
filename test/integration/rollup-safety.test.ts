import { afterEach, describe, expect, it } from 'vitest';
import { openRuntime, type Runtime } from '../../src/app.js';
import { upsertAnswer, type AnswerInput } from '../../src/services/answers.js';
import { rebuildRollups } from '../../src/services/rollup-rebuild.js';
import { rollupCollection, rollupsSettled } from '../../src/services/rollups.js';
import { scoresOf } from '../../src/services/scores.js';
import { BatchedWriter } from '../../src/store/batched-writes.js';
import { acmeGlobexYaml } from '../support/engagement-yaml.js';
import { testRuntime, type TestRuntime } from '../support/runtime.js';

const YAML = acmeGlobexYaml(`
      - { id: a1, side: client, slack: { team: T1, user: U1 } }
`);

function answer(personId: string, score: number): AnswerInput {
  return {
    engagementId: 'acme-globex',
    pulseId: 'acme-globex--2026-03-02',
    questionId: 'advocacy',
    personId,
    side: 'client',
    dimension: 'advocacy',
    scale: 'nps',
    score,
    answeredAt: new Date('2026-03-02T10:00:00Z'),
    source: 'slack',
  };
}

describe('roll-ups kept safe', () => {
  let rt: TestRuntime;
  let other: Runtime | undefined;
  afterEach(async () => {
    await other?.close();
    other = undefined;
    await rt?.dispose();
  });

  async function setUp() {
    rt = await testRuntime({ now: new Date('2026-03-06T12:00:00Z') });
    await rt.importYaml(YAML);
  }

  const clientNps = async () =>
    (await scoresOf(rt.ctx.store, 'acme-globex', rt.clock.now))!.sides.client.advocacy;

  it('count every one of many answers written at once in the same week', async () => {
    await setUp();
    const people = Array.from({ length: 24 }, (_, i) => `p${i}`);
    await Promise.all(people.map((p, i) => upsertAnswer(rt.ctx, answer(p, i % 2 ? 3 : 10))));
    expect(await clientNps()).toMatchObject({
      n: 24,
      people: 24,
      promoters: 12,
      detractors: 12,
      value: 0,
    });
  });

  it('count an answer once when a rebuild runs while its change is still queued', async () => {
    await setUp();
    // upsertAnswer returns with the roll-up change queued, not yet written.
    await upsertAnswer(rt.ctx, answer('p1', 10));
    const both = [upsertAnswer(rt.ctx, answer('p2', 10)), rebuildRollups(rt.ctx, 'acme-globex')];
    await Promise.all(both);
    expect(await clientNps()).toMatchObject({ n: 2, people: 2 });
    expect(await rebuildRollups(rt.ctx, 'acme-globex')).toEqual({ answers: 2, weeks: 1 });
    expect(await clientNps()).toMatchObject({ n: 2, people: 2 });
  });

  it('count every answer when two processes write the same week at once', async () => {
    await setUp();
    other = await openRuntime(rt.env, rt.log, true);
    other.ctx.now = rt.ctx.now;
    // Each process writes its roll-up change at once after every answer, so that the two
    // processes update the same roll-up over and over at the same moments.
    const writeAll = async (ctx: Runtime['ctx'], prefix: string) => {
      for (let i = 0; i < 25; i++) {
        await upsertAnswer(ctx, answer(`${prefix}${i}`, i % 5 ? 10 : 0));
        await rollupsSettled(ctx.store, 'acme-globex');
      }
    };
    await Promise.all([writeAll(rt.ctx, 'a'), writeAll(other.ctx, 'b')]);
    expect(await clientNps()).toMatchObject({ n: 50, people: 50, promoters: 40, detractors: 10 });
  });

  it('store nothing when Redis cannot take the mark', async () => {
    await setUp();
    other = await openRuntime(rt.env, rt.log, true);
    other.redis.disconnect();
    await expect(upsertAnswer(other.ctx, answer('p1', 10))).rejects.toThrow();
    expect(await rt.ctx.store.answers.countDocuments()).toBe(0);
  });
});

describe('the batched writer', () => {
  let rt: TestRuntime;
  afterEach(() => rt?.dispose());

  it('merges what arrives together into one write per document, after it is stored', async () => {
    rt = await testRuntime();
    const collection = () => rt.ctx.store.connection.collection<{ _id: string }>('counters');
    let writes = 0;
    const writer = new BatchedWriter(collection, async (_group, task) => {
      writes += 1;
      await task();
    });
    const order: string[] = [];
    const done = Array.from({ length: 10 }, (_, i) =>
      writer.write('g', [{ collection: 'counters', id: 'a', inc: { n: i } }], async () => {
        order.push(`stored ${i}`);
        expect(await collection().findOne({ _id: 'a' })).toMatchObject({ n: 45 });
      }),
    );
    await writer.settled('g');
    await Promise.all(done);
    expect(writes).toBe(1);
    expect(order).toHaveLength(10);
  });

  it('rejects the callers of a batch whose write fails, and writes the next one', async () => {
    rt = await testRuntime();
    const collection = () => rt.ctx.store.connection.collection<{ _id: string }>('counters');
    let fail = true;
    const writer = new BatchedWriter(collection, async (_group, task) => {
      if (fail) throw new Error('lock not had');
      await task();
    });
    const first = writer.write('g', [{ collection: 'counters', id: 'a', inc: { n: 1 } }]);
    await expect(first).rejects.toThrow('lock not had');
    fail = false;
    await writer.write('g', [{ collection: 'counters', id: 'a', inc: { n: 2 } }]);
    expect(await collection().findOne({ _id: 'a' })).toMatchObject({ n: 2 });
    expect(await rollupCollection(rt.ctx.store).countDocuments()).toBe(0);
  });
});
