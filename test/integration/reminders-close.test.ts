import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackChat } from '../../adapters/slack/slack-chat.js';
import { jobId } from '../../jobs/catalog.js';
import { recordClick } from '../../src/services/answers.js';
import { closePulse } from '../../src/services/close.js';
import { deliver, refreshMessage } from '../../src/services/deliveries.js';
import { sendPulseNow } from '../../src/services/pulses.js';
import { remind, reminderTimes } from '../../src/services/reminders.js';
import { FakeSlack } from '../support/fake-slack.js';
import { testRuntime, type TestRuntime } from '../support/runtime.js';

const YAML = `
engagements:
  - id: acme-globex
    name: Acme x Globex
    client: Acme
    provider: Globex
    timezone: Europe/London
    cadence: { every: 1 week, on: monday, at: "10:00", startsOn: 2026-01-05 }
    reminders: 2
    closesAfter: 3 days
    quietHours: { from: "19:00", to: "08:00", weekends: true }
    people:
      - { id: a1, side: client, slack: { team: T1, user: U1 } }
      - { id: g1, side: provider, slack: { team: T1, user: U2 } }
`;

const MONDAY = new Date('2026-03-02T10:00:00Z');

describe('reminders and closing', () => {
  let slack: FakeSlack;
  let rt: TestRuntime;
  let pulseId: string;
  beforeEach(async () => {
    slack = await new FakeSlack().start();
    const chat = createSlackChat({ token: slack.token, apiUrl: slack.url });
    rt = await testRuntime({ chat: { slack: chat }, now: MONDAY });
    await rt.importYaml(YAML);
    const started = await sendPulseNow(rt.ctx, 'acme-globex');
    if (started.kind !== 'started') throw new Error(started.kind);
    pulseId = started.pulseId;
    expect(await deliver(rt.ctx, `${pulseId}--a1`)).toBe('sent');
    expect(await deliver(rt.ctx, `${pulseId}--g1`)).toBe('sent');
  });
  afterEach(async () => {
    await rt.dispose();
    await slack.stop();
  });

  const notices = () => slack.callsOf('chat.postMessage').filter((c) => !c.args.metadata);
  const at = (iso: string) => (rt.clock.now = new Date(iso));

  async function click(user: string, deliveryId: string) {
    const d = await rt.ctx.store.deliveries.findById(deliveryId).lean();
    const q = d?.questions[0];
    return recordClick(rt.ctx, {
      deliveryId,
      questionId: q?.id ?? '',
      score: q?.scale === 'nps' ? 9 : 4,
      identity: { platform: 'slack', team: 'T1', user },
    });
  }

  it('queues the close at closesAfter days and two reminders outside quiet hours', async () => {
    const pulse = await rt.ctx.store.pulses.findById(pulseId).lean();
    expect(pulse?.closesAt.toISOString()).toBe('2026-03-05T10:00:00.000Z');
    const close = await rt.ctx.jobs.queue.getJob(jobId('close', pulseId));
    expect(close?.opts.delay).toBe(3 * 24 * 3600_000);
    const first = await rt.ctx.jobs.queue.getJob(jobId('remind', `${pulseId}--a1`, '1'));
    const second = await rt.ctx.jobs.queue.getJob(jobId('remind', `${pulseId}--a1`, '2'));
    expect(first?.opts.delay).toBe(24 * 3600_000);
    expect(second?.opts.delay).toBe(2 * 24 * 3600_000);
  });

  it('reminds only those who have not answered, and each reminder once', async () => {
    expect((await click('U2', `${pulseId}--g1`)).kind).toBe('recorded');
    at('2026-03-03T10:00:00Z');
    expect(await remind(rt.ctx, `${pulseId}--a1`, 1)).toBe('reminded');
    expect(await remind(rt.ctx, `${pulseId}--a1`, 1)).toBe('skipped');
    expect(await remind(rt.ctx, `${pulseId}--g1`, 1)).toBe('skipped');
    expect(notices().map((c) => c.args.channel)).toEqual(['D1']);
    expect(String(notices()[0]?.args.text)).toContain('Reminder');
  });

  it('sends a reminder once when two workers run it at the same moment', async () => {
    at('2026-03-03T10:00:00Z');
    const id = `${pulseId}--a1`;
    const results = await Promise.all([remind(rt.ctx, id, 1), remind(rt.ctx, id, 1)]);
    expect(results.sort()).toEqual(['reminded', 'skipped']);
    expect(notices()).toHaveLength(1);
    expect(await remind(rt.ctx, id, 1)).toBe('skipped');
  });

  it('closes: open deliveries expire, messages say closed, late clicks store nothing', async () => {
    expect((await click('U2', `${pulseId}--g1`)).kind).toBe('recorded');
    at('2026-03-05T10:00:00Z');
    expect(await closePulse(rt.ctx, pulseId)).toBe(1);
    expect(await closePulse(rt.ctx, pulseId)).toBe(0);
    const states = await rt.ctx.store.deliveries.find({ pulseId }).sort({ personId: 1 }).lean();
    expect(states.map((d) => d.state)).toEqual(['expired', 'answered']);
    for (const person of ['a1', 'g1']) {
      const refresh = await rt.ctx.jobs.queue.getJob(
        jobId('refresh', `${pulseId}--${person}`, 'closed'),
      );
      expect(refresh).toBeDefined();
      expect(await refreshMessage(rt.ctx, `${pulseId}--${person}`)).toBe(true);
    }
    expect([...slack.messages.values()].map((m) => m.text)).toEqual([
      'The Acme x Globex pulse has closed.',
      'The Acme x Globex pulse has closed.',
    ]);
    const answers = await rt.ctx.store.answers.countDocuments();
    expect((await click('U1', `${pulseId}--a1`)).kind).toBe('closed');
    expect(await rt.ctx.store.answers.countDocuments()).toBe(answers);
    expect(await remind(rt.ctx, `${pulseId}--a1`, 2)).toBe('skipped');
    expect(notices()).toHaveLength(0);
  });

  it('closes a pulse stored before pulses listed their people, by query', async () => {
    const pulse = await rt.ctx.store.pulses.findById(pulseId).lean();
    expect(pulse?.people?.slice().sort()).toEqual(['a1', 'g1']);
    await rt.ctx.store.pulses.updateOne({ _id: pulseId }, { $unset: { people: 1 } });
    expect((await click('U2', `${pulseId}--g1`)).kind).toBe('recorded');
    at('2026-03-05T10:00:00Z');
    expect(await closePulse(rt.ctx, pulseId)).toBe(1);
    const states = await rt.ctx.store.deliveries.find({ pulseId }).sort({ personId: 1 }).lean();
    expect(states.map((d) => d.state)).toEqual(['expired', 'answered']);
  });

  it('sends no reminder after the close time even before the close job ran', async () => {
    at('2026-03-05T10:00:01Z');
    expect(await remind(rt.ctx, `${pulseId}--a1`, 2)).toBe('skipped');
    expect(notices()).toHaveLength(0);
  });
});

describe('reminder times', () => {
  const sent = new Date('2026-03-02T10:00:00Z');
  const closes = new Date('2026-03-05T10:00:00Z');

  it('spread evenly between sending and the close', () => {
    expect(reminderTimes(sent, closes, 1, 'UTC', null).map((d) => d.toISOString())).toEqual([
      '2026-03-03T22:00:00.000Z',
    ]);
    expect(reminderTimes(sent, closes, 0, 'UTC', null)).toEqual([]);
  });

  it("move out of quiet hours, in the person's time zone", () => {
    const night = { from: '19:00', to: '08:00' };
    // Tuesday 22:00 UTC is 22:00 in London and 03:30 Wednesday in Kolkata.
    expect(reminderTimes(sent, closes, 1, 'Europe/London', night)[0]?.toISOString()).toBe(
      '2026-03-04T08:00:00.000Z',
    );
    expect(reminderTimes(sent, closes, 1, 'Asia/Kolkata', night)[0]?.toISOString()).toBe(
      '2026-03-04T02:30:00.000Z',
    );
  });

  it('drop a reminder that quiet hours would push past the close', () => {
    const friday = new Date('2026-03-06T10:00:00Z');
    const weekends = { weekends: true };
    // Both points fall on the weekend; Monday 00:00 is the close itself, so none is left.
    const monday = new Date('2026-03-09T00:00:00Z');
    expect(reminderTimes(friday, monday, 2, 'UTC', weekends)).toEqual([]);
    // With the close at 06:00 both would land on Monday 00:00: one reminder, not two.
    const later = new Date('2026-03-09T06:00:00Z');
    expect(reminderTimes(friday, later, 2, 'UTC', weekends).map((d) => d.toISOString())).toEqual([
      '2026-03-09T00:00:00.000Z',
    ]);
  });
});
