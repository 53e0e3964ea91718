import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackChat } from '../../adapters/slack/slack-chat.js';
import { planPulses, sendPulseNow } from '../../src/services/pulses.js';
import { FakeSlack } from '../support/fake-slack.js';
import { testRuntime, type TestRuntime } from '../support/runtime.js';

const YAML = `
engagements:
  - id: acme-globex
    name: Acme x Globex
    client: Acme
    provider: Globex
    timezone: Europe/London
    cadence: { every: 1 week, on: tuesday, at: "09:30", startsOn: 2026-01-06 }
    people:
      - { id: a1, side: client, slack: { team: T1, user: U1 } }
      - { id: a2, side: client, slack: { team: T1, user: U2 }, timezone: America/Chicago }
      - { id: a3, side: client, slack: { team: T1, user: U3 } }
`;

describe("a person's time zone", () => {
  let slack: FakeSlack;
  let rt: TestRuntime;
  beforeEach(async () => {
    slack = await new FakeSlack().start();
    slack.users.set('U1', { tz: 'Asia/Kolkata' });
    slack.users.set('U2', { tz: 'Asia/Tokyo' });
    const chat = createSlackChat({ token: slack.token, apiUrl: slack.url });
    rt = await testRuntime({ chat: { slack: chat }, now: new Date('2026-03-02T00:05:00Z') });
    await rt.importYaml(YAML);
  });
  afterEach(async () => {
    await rt.dispose();
    await slack.stop();
  });

  const dueOf = async (person: string) =>
    (await rt.ctx.store.deliveries.findOne({ personId: person }).lean())?.dueAt.toISOString();

  it("comes from the file, else Slack's users.info, else the engagement", async () => {
    expect(await planPulses(rt.ctx, 'acme-globex')).toEqual(['2026-03-03']);
    expect(await dueOf('a1')).toBe('2026-03-03T04:00:00.000Z');
    expect(await dueOf('a2')).toBe('2026-03-03T15:30:00.000Z');
    expect(await dueOf('a3')).toBe('2026-03-03T09:30:00.000Z');
    const a1 = await rt.ctx.store.people.findOne({ personId: 'a1' }).lean();
    expect(a1?.platformTimezone).toBe('Asia/Kolkata');
  });

  it('is asked of Slack again only after a week', async () => {
    await planPulses(rt.ctx, 'acme-globex');
    expect(slack.callsOf('users.info')).toHaveLength(3);
    slack.users.set('U1', { tz: 'Europe/Paris' });
    rt.clock.now = new Date('2026-03-03T00:05:00Z');
    await planPulses(rt.ctx, 'acme-globex');
    expect(slack.callsOf('users.info')).toHaveLength(3);
    rt.clock.now = new Date('2026-03-09T00:06:00Z');
    expect(await planPulses(rt.ctx, 'acme-globex')).toEqual(['2026-03-10']);
    expect(slack.callsOf('users.info')).toHaveLength(6);
    const next = await rt.ctx.store.deliveries
      .findOne({ personId: 'a1', pulseId: /2026-03-10/ })
      .lean();
    expect(next?.dueAt.toISOString()).toBe('2026-03-10T08:30:00.000Z');
  });

  it('moves a pulse due in quiet hours to the next allowed local time', async () => {
    await rt.importYaml(
      YAML.replace('    people:', '    quietHours: { from: "19:00", to: "08:00" }\n    people:'),
    );
    // 17:00 UTC: 17:00 in London, 11:00 in Chicago, 22:30 in Kolkata (U1, from Slack).
    rt.clock.now = new Date('2026-03-02T17:00:00Z');
    await planPulses(rt.ctx, 'acme-globex');
    const started = await sendPulseNow(rt.ctx, 'acme-globex');
    expect(started.kind).toBe('started');
    const due = async (p: string) =>
      (await rt.ctx.store.deliveries.findOne({ personId: p, pulseId: /03-02/ }).lean())?.dueAt;
    expect((await due('a1'))?.toISOString()).toBe('2026-03-03T02:30:00.000Z');
    expect((await due('a2'))?.toISOString()).toBe('2026-03-02T17:00:00.000Z');
    expect((await due('a3'))?.toISOString()).toBe('2026-03-02T17:00:00.000Z');
  });
});
