import { afterEach, describe, expect, it } from 'vitest';
import { unreachablePeople } from '../../src/services/people.js';
import { sendPulseNow } from '../../src/services/pulses.js';
import { responseRates } from '../../src/services/response-rates.js';
import { testRuntime, type TestRuntime } from '../support/runtime.js';
import { acmeGlobexYaml } from '../support/engagement-yaml.js';

const YAML = acmeGlobexYaml(`
      - { id: a1, side: client, slack: { team: T1, user: U1 } }
      - { id: a2, side: client, slack: { team: T1, user: U2 } }
      - { id: a3, side: client, slack: { team: T1, user: U3 } }
      - { id: g1, side: provider, slack: { team: T1, user: U4 } }
      - { id: g2, side: provider, teams: { tenant: t, user: u } }
`);

describe('response rates', () => {
  let rt: TestRuntime;
  afterEach(() => rt?.dispose());

  it('divide answered by sent deliveries per side, leaving out the unreachable', async () => {
    rt = await testRuntime({ now: new Date('2026-03-02T10:00:00Z') });
    await rt.importYaml(YAML);
    const pulse = await sendPulseNow(rt.ctx, 'acme-globex');
    if (pulse.kind !== 'started') throw new Error(pulse.kind);
    const set = (person: string, state: string) =>
      rt.ctx.store.deliveries.updateOne({ _id: `${pulse.pulseId}--${person}` }, { state });
    await set('a1', 'answered');
    await set('a2', 'sent');
    await set('a3', 'expired');
    await set('g1', 'answered');
    await set('g2', 'unreachable');
    const rates = await responseRates(
      rt.ctx.store,
      'acme-globex',
      new Date('2026-03-01T00:00:00Z'),
      new Date('2026-03-03T00:00:00Z'),
    );
    expect(rates.map((r) => [r.side, r.answered, r.sent])).toEqual([
      ['client', 1, 3],
      ['provider', 1, 1],
    ]);
    expect(rates[0]?.rate).toBeCloseTo(1 / 3, 9);
    expect(await unreachablePeople(rt.ctx.store, 'acme-globex')).toEqual({
      client: [],
      provider: ['g2'],
    });
  });
});
