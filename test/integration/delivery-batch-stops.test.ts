import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackChat } from '../../adapters/slack/slack-chat.js';
import { recordClick } from '../../src/services/answers.js';
import { closePulse } from '../../src/services/close.js';
import { deliverBatch } from '../../src/services/delivery-batch.js';
import { pausePerson } from '../../src/services/pause.js';
import { planPulses, sendPulseNow } from '../../src/services/pulses.js';
import { recentActivePeople } from '../../src/services/recent-reads.js';
import { RetryLaterError } from '../../src/services/retry-later.js';
import { acmeGlobexYaml } from '../support/engagement-yaml.js';
import { batchJobs } from '../support/batch-jobs.js';
import { FakeSlack } from '../support/fake-slack.js';
import { testRuntime, type TestRuntime } from '../support/runtime.js';

const START = new Date('2026-03-02T10:00:05Z');

/** `n` Slack people p00…, users U100…, alternating sides. */
function people(n: number, skip: string[] = []): string {
  return Array.from({ length: n }, (_, i) => {
    const id = `p${String(i).padStart(2, '0')}`;
    if (skip.includes(id)) return '';
    const side = i % 2 ? 'provider' : 'client';
    return `      - { id: ${id}, side: ${side}, slack: { team: T1, user: U${100 + i} } }\n`;
  }).join('');
}

describe('batch sends meet pauses, closes, departures and rate limits', () => {
  let slack: FakeSlack;
  let rt: TestRuntime;

  beforeEach(async () => {
    slack = await new FakeSlack().start();
    const port = createSlackChat({ token: slack.token, apiUrl: slack.url, timeoutMs: 3_000 });
    rt = await testRuntime({ chat: { slack: port }, now: START });
  });
  afterEach(async () => {
    await rt.dispose();
    await slack.stop();
  });

  const runAll = async () => {
    const out = [];
    for (const j of await batchJobs(rt)) {
      out.push(await deliverBatch(rt.ctx, j.pulseId, j.deliveryIds).catch((e: unknown) => e));
    }
    return out;
  };
  const postedTo = (user: string) =>
    [...slack.messages.values()].filter((m) => m.metadata && m.channel === `D${user.slice(1)}`);
  const stateOf = async (id: string) => (await rt.ctx.store.deliveries.findById(id).lean())?.state;

  /**
   * Starts a pulse to 30 people and its batch, with Slack slow today: the 25th to 30th posts
   * wait for one of the 24 slots. Resolves once p29's post is waiting.
   */
  async function slowBatch() {
    await rt.importYaml(acmeGlobexYaml(people(30), 'UTC'));
    const started = await sendPulseNow(rt.ctx, 'acme-globex');
    if (started.kind !== 'started') throw new Error(started.kind);
    const [job] = await batchJobs(rt);
    slack.trouble.set('chat.postMessage', { delayMs: 600 });
    const running = deliverBatch(rt.ctx, started.pulseId, job!.deliveryIds);
    await new Promise((r) => setTimeout(r, 200));
    expect(postedTo('U129')).toHaveLength(0);
    return { running, p29: `${started.pulseId}--p29`, pulseId: started.pulseId };
  }

  it('does not message a person who paused while their post waited for a slot', async () => {
    const { running, p29 } = await slowBatch();
    const paused = await pausePerson(rt.ctx, { platform: 'slack', team: 'T1', user: 'U129' });
    expect(paused.kind).toBe('paused');
    await running;
    expect({ posted: postedTo('U129').length, state: await stateOf(p29) }).toEqual({
      posted: 0,
      state: 'paused',
    });
  });

  it('does not post an open pulse after it was closed while the post waited', async () => {
    const { running, p29, pulseId } = await slowBatch();
    await closePulse(rt.ctx, pulseId);
    await running;
    expect({ posted: postedTo('U129').length, state: await stateOf(p29) }).toEqual({
      posted: 0,
      state: 'expired',
    });
  });

  it('does not message a person another process paused just before planning', async () => {
    await rt.importYaml(acmeGlobexYaml(people(4), 'UTC'));
    // Planning's shared read of the people, made a moment ago in this process.
    await recentActivePeople(rt.ctx, 'acme-globex');
    // The bot process (one database and queue with this one) pauses p01; there are no
    // deliveries to pause yet, and only its own kept reads are dropped.
    const bot = await testRuntime({
      now: START,
      env: { MONGODB_URI: rt.env.MONGODB_URI, RAPPORT_QUEUE_PREFIX: rt.env.RAPPORT_QUEUE_PREFIX },
    });
    try {
      const paused = await pausePerson(bot.ctx, { platform: 'slack', team: 'T1', user: 'U101' });
      expect(paused.kind).toBe('paused');
    } finally {
      await bot.close();
    }
    // Monday 10:00 UTC has just passed: planning makes today's pulse due now.
    await planPulses(rt.ctx, 'acme-globex');
    const results = await runAll();
    const pulseId = (await batchJobs(rt))[0]!.pulseId;
    expect(results[0]).toEqual({ sent: 3, paused: 1 });
    expect({
      posted: postedTo('U101').length,
      state: await stateOf(`${pulseId}--p01`),
    }).toEqual({ posted: 0, state: 'paused' });
  });

  it("holds every batch of the process to a 429's Retry-After, not only its own", async () => {
    await rt.importYaml(acmeGlobexYaml(people(4), 'UTC'));
    const started = await sendPulseNow(rt.ctx, 'acme-globex');
    if (started.kind !== 'started') throw new Error(started.kind);
    const ids = (await batchJobs(rt)).flatMap((j) => j.deliveryIds);
    slack.trouble.set('chat.postMessage', { rateLimitSeconds: 30, times: 1 });
    const first = await deliverBatch(rt.ctx, started.pulseId, ids.slice(0, 1)).catch(
      (e: unknown) => e,
    );
    expect((first as RetryLaterError).delayMs).toBe(30_000);
    rt.clock.now = new Date(START.getTime() + 10_000);
    const second = await deliverBatch(rt.ctx, started.pulseId, ids.slice(1)).catch(
      (e: unknown) => e,
    );
    expect(second).toBeInstanceOf(RetryLaterError);
    expect((second as RetryLaterError).delayMs).toBe(20_000);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);

    rt.clock.now = new Date(START.getTime() + 30_000);
    expect(await runAll()).toEqual([{ sent: 4 }]);
    expect(new Set([...slack.messages.values()].map((m) => m.channel)).size).toBe(4);
    expect([...slack.messages.values()]).toHaveLength(4);
  });

  it('hands back a 429 on opening the DM at once, and posts once after its wait', async () => {
    await rt.importYaml(acmeGlobexYaml(people(1), 'UTC'));
    const started = await sendPulseNow(rt.ctx, 'acme-globex');
    if (started.kind !== 'started') throw new Error(started.kind);
    // Waited out inside the claim, Retry-After would outlast the claim's lease.
    slack.trouble.set('conversations.open', { rateLimitSeconds: 40, times: 1 });
    const t0 = Date.now();
    const [result] = await runAll();
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(result).toBeInstanceOf(RetryLaterError);
    expect((result as RetryLaterError).delayMs).toBe(40_000);
    rt.clock.now = new Date(START.getTime() + 40_000);
    expect(await runAll()).toEqual([{ sent: 1 }]);
    expect(postedTo('U100')).toHaveLength(1);
  });

  it('does not send a planned pulse to a person dropped from the engagement file', async () => {
    await rt.importYaml(acmeGlobexYaml(people(4), 'UTC'));
    const started = await sendPulseNow(rt.ctx, 'acme-globex');
    if (started.kind !== 'started') throw new Error(started.kind);
    await rt.importYaml(acmeGlobexYaml(people(4, ['p02']), 'UTC'));
    await runAll();
    const delivery = await rt.ctx.store.deliveries.findById(`${started.pulseId}--p02`).lean();
    // The pulse p02 gets (the bug) cannot even be answered: the person is inactive.
    const click = await recordClick(rt.ctx, {
      deliveryId: delivery!._id,
      questionId: delivery!.questions[0]!.id!,
      score: 8,
      identity: { platform: 'slack', team: 'T1', user: 'U102' },
    });
    expect({ posted: postedTo('U102').length, click: click.kind }).toEqual({
      posted: 0,
      click: 'not-yours',
    });
  });

  it("keeps a 429's Retry-After when another delivery of the batch throws", async () => {
    await rt.importYaml(acmeGlobexYaml(people(4), 'UTC'));
    const started = await sendPulseNow(rt.ctx, 'acme-globex');
    if (started.kind !== 'started') throw new Error(started.kind);
    // Stands in for any error of one delivery (a Redis or Mongo call that fails).
    await rt.ctx.jobs.connection.set(
      `${rt.ctx.jobs.prefix}:send-claim:${started.pulseId}--p03`,
      'x',
    );
    slack.trouble.set('chat.postMessage', { rateLimitSeconds: 30, times: 1 });
    const [result] = await runAll();
    // The worker retries a plain error after the catalog backoff (2 s, spending an attempt).
    expect(result).toBeInstanceOf(RetryLaterError);
    expect((result as RetryLaterError).delayMs).toBeGreaterThanOrEqual(30_000);
  });
});
