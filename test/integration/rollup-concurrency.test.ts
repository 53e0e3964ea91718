import { afterEach, describe, expect, it } from 'vitest';
import { upsertAnswer } from '../../src/services/answers.js';
import { scoresOf } from '../../src/services/scores.js';
import { testRuntime, type TestRuntime } from '../support/runtime.js';
import { acmeGlobexYaml } from '../support/engagement-yaml.js';

const YAML = acmeGlobexYaml(`
      - { id: a1, side: client, slack: { team: T1, user: U1 } }
`);

describe('roll-ups under concurrent answers', () => {
  let rt: TestRuntime;
  afterEach(() => rt?.dispose());

  it('count every one of many answers written at once in the same week', async () => {
    rt = await testRuntime({ now: new Date('2026-03-06T12:00:00Z') });
    await rt.importYaml(YAML);
    const people = Array.from({ length: 24 }, (_, i) => `p${i}`);
    await Promise.all(
      people.map((personId, i) =>
        upsertAnswer(rt.ctx, {
          engagementId: 'acme-globex',
          pulseId: 'acme-globex--2026-03-02',
          questionId: 'advocacy',
          personId,
          side: 'client',
          dimension: 'advocacy',
          scale: 'nps',
          score: i % 2 === 0 ? 10 : 3,
          answeredAt: new Date('2026-03-02T10:00:00Z'),
          source: 'slack',
        }),
      ),
    );
    const report = await scoresOf(rt.ctx.store, 'acme-globex', rt.clock.now);
    expect(report?.sides.client.advocacy).toMatchObject({
      n: 24,
      people: 24,
      promoters: 12,
      detractors: 12,
      value: 0,
    });
  });
});
