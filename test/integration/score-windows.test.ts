import { afterEach, describe, expect, it } from 'vitest';
import { upsertAnswer } from '../../src/services/answers.js';
import { scoresOf } from '../../src/services/scores.js';
import { acmeGlobexYaml } from '../support/engagement-yaml.js';
import { testRuntime, type TestRuntime } from '../support/runtime.js';

const yaml = (windowWeeks: number) =>
  acmeGlobexYaml(
    `
      - { id: c1, side: client, slack: { team: T1, user: U1 } }
`,
    'America/Chicago',
    { privacyThreshold: 1, windowWeeks },
  );

describe('rolling windows in the engagement time zone', () => {
  let rt: TestRuntime;
  afterEach(() => rt?.dispose());

  async function setUp(windowWeeks: number, answeredAt: string[]) {
    rt = await testRuntime({ now: new Date('2026-12-01T00:00:00Z') });
    await rt.importYaml(yaml(windowWeeks));
    for (const [i, t] of answeredAt.entries()) {
      await upsertAnswer(rt.ctx, {
        engagementId: 'acme-globex',
        pulseId: `p${i}`,
        questionId: 'governance',
        personId: 'c1',
        side: 'client',
        dimension: 'governance',
        scale: 'agree5',
        score: 5,
        answeredAt: new Date(t),
        source: 'import',
      });
    }
    return async (asOf: string) => {
      const report = await scoresOf(rt.ctx.store, 'acme-globex', new Date(asOf));
      return { n: report!.sides.client.governance.n, start: report!.windowStart };
    };
  }

  it('starts on Monday 00:00 local the week after clocks go forward (CDT, UTC−5)', async () => {
    // 2026-03-08 02:00 CST: clocks go forward. Monday 9 March starts at 05:00Z.
    const at = await setUp(1, ['2026-03-09T04:59:59Z', '2026-03-09T05:00:00Z']);
    expect(await at('2026-03-11T12:00:00Z')).toEqual({ n: 1, start: '2026-03-09T00:00:00-05:00' });
  });

  it('keeps a week holding the spring change whole, Monday CST to Sunday CDT', async () => {
    // Week of 2 March: from 06:00Z Monday (CST) to 04:59:59Z the next Monday (CDT).
    const at = await setUp(2, [
      '2026-03-02T05:59:59Z',
      '2026-03-02T06:00:00Z',
      '2026-03-08T12:00:00Z',
      '2026-03-09T04:59:59Z',
    ]);
    expect(await at('2026-03-11T12:00:00Z')).toEqual({ n: 3, start: '2026-03-02T00:00:00-06:00' });
  });

  it('starts on Monday 00:00 local the week after clocks go back (CST, UTC−6)', async () => {
    // 2026-11-01 02:00 CDT: clocks go back. Monday 2 November starts at 06:00Z.
    const at = await setUp(1, ['2026-11-02T05:59:59Z', '2026-11-02T06:00:00Z']);
    expect(await at('2026-11-04T12:00:00Z')).toEqual({ n: 1, start: '2026-11-02T00:00:00-06:00' });
  });

  it('counts the current week only up to the as-of time, to the second', async () => {
    const at = await setUp(13, ['2026-03-10T15:00:00Z', '2026-03-10T15:00:01Z']);
    expect((await at('2026-03-10T15:00:00Z')).n).toBe(1);
    expect((await at('2026-03-10T15:00:01Z')).n).toBe(2);
    expect((await at('2026-03-10T14:59:59Z')).n).toBe(0);
  });

  it('drops a week thirteen weeks later, at its local Monday midnight', async () => {
    const at = await setUp(13, ['2026-03-02T06:00:00Z']);
    // 13 weeks after the week of 2 March: the window of 1 June starts 9 March.
    expect((await at('2026-05-31T23:59:59-05:00')).n).toBe(1);
    expect((await at('2026-06-01T00:00:00-05:00')).n).toBe(0);
  });
});
