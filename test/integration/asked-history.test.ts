import { addWeeks } from 'date-fns';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackChat } from '../../adapters/slack/slack-chat.js';
import { deliver } from '../../src/services/deliveries.js';
import { sendPulseNow } from '../../src/services/pulses.js';
import { FakeSlack } from '../support/fake-slack.js';
import { acmeGlobexYaml } from '../support/engagement-yaml.js';
import { testRuntime, type TestRuntime } from '../support/runtime.js';

const YAML = acmeGlobexYaml(
  `
      - { id: a1, side: client, slack: { team: T1, user: U1 } }
`,
  'UTC',
);

const START = new Date('2026-03-02T10:00:00Z');

describe('what a person was asked before decides the next pulse', () => {
  let slack: FakeSlack;
  let rt: TestRuntime;
  beforeEach(async () => {
    slack = await new FakeSlack().start();
    const chat = createSlackChat({ token: slack.token, apiUrl: slack.url });
    rt = await testRuntime({ chat: { slack: chat }, now: START });
    await rt.importYaml(YAML);
  });
  afterEach(async () => {
    await rt.dispose();
    await slack.stop();
  });

  async function pulseFor(sendIt: boolean) {
    const started = await sendPulseNow(rt.ctx, 'acme-globex');
    if (started.kind !== 'started') throw new Error(started.kind);
    const id = `${started.pulseId}--a1`;
    if (sendIt) expect(await deliver(rt.ctx, id)).toBe('sent');
    const d = await rt.ctx.store.deliveries.findById(id).lean();
    return d!.questions.map((q) => q.dimension);
  }

  it('a sent pulse moves the next one on to dimensions not asked yet', async () => {
    const first = await pulseFor(true);
    rt.clock.now = addWeeks(START, 1);
    const second = await pulseFor(true);
    expect(second.filter((d) => first.includes(d))).toEqual([]);
  });

  it('a pulse never sent does not count as asked', async () => {
    const first = await pulseFor(false);
    rt.clock.now = addWeeks(START, 1);
    expect(await pulseFor(true)).toEqual(first);
  });

  it('history stored only in the deliveries (Redis lost or new) is read from them', async () => {
    const first = await pulseFor(true);
    const redis = rt.ctx.jobs.connection;
    await redis.del(`${rt.ctx.jobs.prefix}:asked:acme-globex`);
    rt.clock.now = addWeeks(START, 1);
    const second = await pulseFor(true);
    expect(second.filter((d) => first.includes(d))).toEqual([]);
  });
});
