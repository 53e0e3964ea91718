import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackChat } from '../../adapters/slack/slack-chat.js';
import { handleSlashCommand } from '../../adapters/slack/slash-command.js';
import { deliver } from '../../src/services/deliveries.js';
import { setEngagementPaused } from '../../src/services/pause.js';
import { planPulses, sendPulseNow } from '../../src/services/pulses.js';
import { responseRates } from '../../src/services/response-rates.js';
import { FakeSlack } from '../support/fake-slack.js';
import { testRuntime, type TestRuntime } from '../support/runtime.js';
import { acmeGlobexYaml } from '../support/engagement-yaml.js';

const YAML = acmeGlobexYaml(
  `
      - { id: a1, side: client, slack: { team: T1, user: U1 } }
      - { id: a2, side: client, slack: { team: T1, user: U2 } }
`,
  'UTC',
);

describe('pausing', () => {
  let slack: FakeSlack;
  let rt: TestRuntime;
  beforeEach(async () => {
    slack = await new FakeSlack().start();
    const chat = createSlackChat({ token: slack.token, apiUrl: slack.url });
    rt = await testRuntime({ chat: { slack: chat }, now: new Date('2026-03-02T09:00:00Z') });
    await rt.importYaml(YAML);
  });
  afterEach(async () => {
    await rt.dispose();
    await slack.stop();
  });

  const slash = (user: string, text: string) =>
    handleSlashCommand(rt.ctx, { text, team_id: 'T1', user_id: user });

  async function pulseOf(date: string) {
    rt.clock.now = new Date(`${date}T10:00:00Z`);
    const started = await sendPulseNow(rt.ctx, 'acme-globex');
    if (started.kind !== 'started') throw new Error(started.kind);
    return started.pulseId;
  }

  it('stops pulses to a paused person for the weeks asked, and they leave the rates', async () => {
    expect((await slash('U2', 'pause 2')).text).toContain('Paused until 2026-03-16');
    const first = await pulseOf('2026-03-02');
    expect(await deliver(rt.ctx, `${first}--a1`)).toBe('sent');
    expect(await deliver(rt.ctx, `${first}--a2`)).toBe('paused');
    const rates = await responseRates(rt.ctx.store, 'acme-globex', new Date(0), rt.clock.now);
    expect(rates.find((r) => r.side === 'client')).toMatchObject({ sent: 1, answered: 0 });
    const later = await pulseOf('2026-03-16');
    expect(await deliver(rt.ctx, `${later}--a2`)).toBe('sent');
    expect(slack.messagesIn('D2')).toHaveLength(1);
  });

  it('pauses until resumed, and a pause stops a pulse already sent', async () => {
    const pulseId = await pulseOf('2026-03-02');
    expect(await deliver(rt.ctx, `${pulseId}--a2`)).toBe('sent');
    expect((await slash('U2', 'pause')).text).toContain('until you send `/rapport resume`');
    const d = await rt.ctx.store.deliveries.findById(`${pulseId}--a2`).lean();
    expect(d?.state).toBe('paused');
    const next = await pulseOf('2026-03-09');
    expect(await deliver(rt.ctx, `${next}--a2`)).toBe('paused');
    expect((await slash('U2', 'resume')).text).toContain('Welcome back');
    const third = await pulseOf('2026-03-16');
    expect(await deliver(rt.ctx, `${third}--a2`)).toBe('sent');
  });

  it('refuses a bad number of weeks and changes nothing', async () => {
    for (const text of ['pause soon', 'pause 0', 'pause 60', 'pause 1.5']) {
      expect((await slash('U2', text)).text).toContain('WEEKS must be a whole number');
    }
    const person = await rt.ctx.store.people.findOne({ personId: 'a2' }).lean();
    expect(person?.pausedUntil ?? null).toBeNull();
    expect((await slash('U9', 'pause')).text).toContain('not part of any Rapport engagement');
  });

  it('lets an admin pause a whole engagement: nothing is planned or sent', async () => {
    const pulseId = await pulseOf('2026-03-02');
    expect(await setEngagementPaused(rt.ctx, 'acme-globex', true)).toBe(true);
    expect(await deliver(rt.ctx, `${pulseId}--a1`)).toBe('skipped');
    const d = await rt.ctx.store.deliveries.findById(`${pulseId}--a1`).lean();
    expect(d?.state).toBe('paused');
    rt.clock.now = new Date('2026-03-09T00:10:00Z');
    expect(await planPulses(rt.ctx, 'acme-globex')).toEqual([]);
    expect(await setEngagementPaused(rt.ctx, 'acme-globex', false)).toBe(true);
    expect(await planPulses(rt.ctx, 'acme-globex')).toEqual(['2026-03-09']);
    expect(await setEngagementPaused(rt.ctx, 'nope', true)).toBe(false);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(0);
  });
});
