import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackClient, SlackChat } from '../../adapters/slack/slack-chat.js';
import { deliver } from '../../src/services/deliveries.js';
import { sendPulseNow } from '../../src/services/pulses.js';
import { FakeSlack } from '../support/fake-slack.js';
import { testRuntime, type TestRuntime } from '../support/runtime.js';
import { acmeGlobexYaml } from '../support/engagement-yaml.js';

const YAML = acmeGlobexYaml(`
      - { id: a1, side: client, roles: [relationship_manager], slack: { team: T1, user: U1 } }
      - { id: g1, side: provider, roles: [stakeholder], slack: { team: T1, user: U2 } }
      - { id: g2, side: provider, roles: [stakeholder], teams: { tenant: t, user: u } }
`);

describe('delivering a pulse', () => {
  let slack: FakeSlack;
  let rt: TestRuntime;
  beforeEach(async () => {
    slack = await new FakeSlack().start();
  });
  afterEach(async () => {
    await rt?.dispose();
    await slack.stop();
  });

  async function setUp(token: string) {
    const chat = new SlackChat(createSlackClient({ token, apiUrl: slack.url }));
    rt = await testRuntime({ chat: { slack: chat } });
    await rt.importYaml(YAML);
    const started = await sendPulseNow(rt.ctx, 'acme-globex');
    if (started.kind !== 'started') throw new Error(started.kind);
    return started.pulseId;
  }

  it('opens the DM, posts once and keeps the channel and ts', async () => {
    const pulseId = await setUp(slack.token);
    const id = `${pulseId}--a1`;
    expect(await deliver(rt.ctx, id)).toBe('sent');
    expect(await deliver(rt.ctx, id)).toBe('skipped');
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
    const d = await rt.ctx.store.deliveries.findById(id).lean();
    const message = d?.message as { platform: string; channel: string; ts: string };
    expect(message).toMatchObject({ platform: 'slack', channel: 'D1' });
    expect(message.ts).toMatch(/^\d+\.\d{6}$/);
  });

  it('marks a delivery failed, without retrying, when Slack says invalid_auth', async () => {
    const pulseId = await setUp('xoxb-wrong');
    expect(await deliver(rt.ctx, `${pulseId}--a1`)).toBe('failed');
    const d = await rt.ctx.store.deliveries.findById(`${pulseId}--a1`).lean();
    expect(d).toMatchObject({ state: 'failed', error: 'slack: invalid_auth' });
    expect(slack.callsOf('chat.postMessage')).toHaveLength(0);
  });

  it('marks a person without a reachable platform as unreachable', async () => {
    const pulseId = await setUp(slack.token);
    expect(await deliver(rt.ctx, `${pulseId}--g2`)).toBe('unreachable');
  });
});
