import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackChat } from '../../adapters/slack/slack-chat.js';
import { deliver } from '../../src/services/deliveries.js';
import { sendPulseNow } from '../../src/services/pulses.js';
import { RetryLaterError } from '../../src/services/retry-later.js';
import { FakeSlack } from '../support/fake-slack.js';
import { testRuntime, type TestRuntime } from '../support/runtime.js';
import { acmeGlobexYaml } from '../support/engagement-yaml.js';

const YAML = acmeGlobexYaml(
  `
      - { id: a1, side: client, slack: { team: T1, user: U1 } }
`,
  'UTC',
);

const START = new Date('2026-03-02T10:00:00Z');

describe('sending a delivery exactly once', () => {
  let slack: FakeSlack;
  let rt: TestRuntime;
  let id: string;
  beforeEach(async () => {
    slack = await new FakeSlack().start();
    const chat = createSlackChat({ token: slack.token, apiUrl: slack.url, timeoutMs: 300 });
    rt = await testRuntime({ chat: { slack: chat }, now: START });
    await rt.importYaml(YAML);
    const started = await sendPulseNow(rt.ctx, 'acme-globex');
    if (started.kind !== 'started') throw new Error(started.kind);
    id = `${started.pulseId}--a1`;
  });
  afterEach(async () => {
    await rt.dispose();
    await slack.stop();
  });

  const posted = () => slack.messagesIn('D1');
  const later = (ms: number) => (rt.clock.now = new Date(rt.clock.now.getTime() + ms));
  const stateOf = async () => (await rt.ctx.store.deliveries.findById(id).lean())?.state;

  async function until(check: () => boolean) {
    for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  }

  it('does not post again after a post that timed out but landed', async () => {
    slack.trouble.set('chat.postMessage', { delayMs: 900, times: 1 });
    await expect(deliver(rt.ctx, id)).rejects.toBeInstanceOf(RetryLaterError);
    expect(await stateOf()).toBe('sending');
    // While the slow post may still land, a retry waits instead of posting.
    await expect(deliver(rt.ctx, id)).rejects.toBeInstanceOf(RetryLaterError);
    await until(() => posted().length > 0);
    later(3_000);
    expect(await deliver(rt.ctx, id)).toBe('sent');
    expect(posted()).toHaveLength(1);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
    expect(slack.callsOf('conversations.history')).toHaveLength(1);
    const d = await rt.ctx.store.deliveries.findById(id).lean();
    expect(d?.message).toMatchObject({ channel: 'D1', ts: posted()[0]?.ts });
  });

  it('waits the Retry-After of a 429 and then posts once', async () => {
    slack.trouble.set('chat.postMessage', { rateLimitSeconds: 7, times: 1 });
    const error = await deliver(rt.ctx, id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryLaterError);
    expect((error as RetryLaterError).delayMs).toBe(7_000);
    expect(posted()).toHaveLength(0);
    later(7_000);
    expect(await deliver(rt.ctx, id)).toBe('sent');
    expect(posted()).toHaveLength(1);
  });

  it('posts once after a 500, having checked that the first try left nothing', async () => {
    slack.trouble.set('chat.postMessage', { serverError: true, times: 1 });
    await expect(deliver(rt.ctx, id)).rejects.toBeInstanceOf(RetryLaterError);
    later(3_000);
    expect(await deliver(rt.ctx, id)).toBe('sent');
    expect(posted()).toHaveLength(1);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(2);
  });

  it('finds the post of a process that died after posting, once its claim lapses', async () => {
    slack.trouble.set('chat.postMessage', { delayMs: 900, times: 1 });
    // The first process claims and posts, then "dies": its result is never recorded.
    const dying = deliver(rt.ctx, id).catch(() => 'died');
    await until(() => posted().length > 0);
    await dying;
    await rt.ctx.store.deliveries.updateOne({ _id: id }, { $set: { claimedUntil: START } });
    expect(await deliver(rt.ctx, id)).toBe('sent');
    expect(posted()).toHaveLength(1);
  });

  it('still looks for the post first when Redis lost the claims of a timed-out send', async () => {
    slack.trouble.set('chat.postMessage', { delayMs: 900, times: 1 });
    await expect(deliver(rt.ctx, id)).rejects.toBeInstanceOf(RetryLaterError);
    await until(() => posted().length > 0);
    const redis = rt.ctx.jobs.connection;
    await redis.del(...(await redis.keys(`${rt.ctx.jobs.prefix}:send-claim:*`)));
    later(3_000);
    expect(await deliver(rt.ctx, id)).toBe('sent');
    expect(posted()).toHaveLength(1);
  });

  it('leaves a delivery that was sent alone', async () => {
    expect(await deliver(rt.ctx, id)).toBe('sent');
    expect(await deliver(rt.ctx, id)).toBe('skipped');
    expect(posted()).toHaveLength(1);
  });
});
