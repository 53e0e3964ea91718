import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatPort } from '../../adapters/chat-port.js';
import { createSlackChat } from '../../adapters/slack/slack-chat.js';
import { recordClick } from '../../src/services/answers.js';
import { deliver } from '../../src/services/deliveries.js';
import { deliverBatch } from '../../src/services/delivery-batch.js';
import { newDelivery, sendPulseNow } from '../../src/services/pulses.js';
import { RetryLaterError } from '../../src/services/retry-later.js';
import { acmeGlobexYaml } from '../support/engagement-yaml.js';
import { batchJobs } from '../support/batch-jobs.js';
import { FakeSlack } from '../support/fake-slack.js';
import { testRuntime, type TestRuntime } from '../support/runtime.js';

const PEOPLE = `
      - { id: a1, side: client, slack: { team: T1, user: U1 } }
      - { id: a2, side: client, slack: { team: T1, user: U2 } }
      - { id: g1, side: provider, slack: { team: T1, user: U3 } }
      - { id: g2, side: provider, slack: { team: T1, user: U4 } }
`;

const START = new Date('2026-03-02T10:00:00Z');

describe('sending the deliveries of a pulse in batches', () => {
  let slack: FakeSlack;
  let rt: TestRuntime;
  let pulseId: string;

  async function start(people = PEOPLE, chat?: (slack: ChatPort) => ChatPort) {
    const port = createSlackChat({ token: slack.token, apiUrl: slack.url, timeoutMs: 300 });
    rt = await testRuntime({ chat: { slack: chat ? chat(port) : port }, now: START });
    await rt.importYaml(acmeGlobexYaml(people, 'UTC'));
    const started = await sendPulseNow(rt.ctx, 'acme-globex');
    if (started.kind === 'unknown-engagement' || started.kind === 'paused') {
      throw new Error(started.kind);
    }
    pulseId = started.pulseId;
  }

  beforeEach(async () => {
    slack = await new FakeSlack().start();
  });
  afterEach(async () => {
    await rt.dispose();
    await slack.stop();
  });

  async function runBatch(deliveryIds?: string[]) {
    const ids = deliveryIds ?? (await batchJobs(rt)).flatMap((j) => j.deliveryIds);
    return deliverBatch(rt.ctx, pulseId, ids);
  }

  const pulsePosts = () => slack.callsOf('chat.postMessage').filter((c) => c.args.metadata);
  const postedUsers = () =>
    [...slack.messages.values()].filter((m) => m.metadata).map((m) => m.channel);
  const later = (ms: number) => (rt.clock.now = new Date(rt.clock.now.getTime() + ms));
  const stateOf = async (personId: string) =>
    (await rt.ctx.store.deliveries.findById(`${pulseId}--${personId}`).lean())?.state;
  const remindJobs = async () =>
    (await rt.ctx.jobs.queue.getJobs(['delayed'])).filter((j) => j.name === 'remind-delivery');

  it('queues one job for the people due together, and sends each of them once', async () => {
    await start();
    const jobs = await batchJobs(rt);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.deliveryIds).toEqual(['a1', 'a2', 'g1', 'g2'].map((p) => `${pulseId}--${p}`));

    expect(await runBatch()).toEqual({ sent: 4 });
    expect(pulsePosts()).toHaveLength(4);
    expect(new Set(postedUsers()).size).toBe(4);
    for (const p of ['a1', 'a2', 'g1', 'g2']) expect(await stateOf(p)).toBe('sent');
    const stored = await rt.ctx.store.deliveries.findById(`${pulseId}--a1`).lean();
    const message = stored?.message as { platform?: string; ts?: string } | null | undefined;
    expect(message?.platform).toBe('slack');
    expect([...slack.messages.values()].map((m) => m.ts)).toContain(message?.ts);
    expect(stored?.sentAt).toEqual(START);
    // The engagement file's default: one reminder each.
    expect(await remindJobs()).toHaveLength(4);

    expect(await runBatch()).toEqual({ skipped: 4 });
    expect(pulsePosts()).toHaveLength(4);
    expect(await remindJobs()).toHaveLength(4);
  });

  it('marks the paused and the unreachable, and leaves one sent on its own alone', async () => {
    await start(`${PEOPLE}      - { id: g3, side: provider, teams: { tenant: t, user: u } }\n`);
    // Paused after planning, as by another process: only the person says so yet.
    await rt.ctx.store.people.updateOne(
      { engagementId: 'acme-globex', personId: 'a2' },
      { $set: { pausedUntil: new Date('2026-04-01T00:00:00Z') } },
    );
    expect(await deliver(rt.ctx, `${pulseId}--a1`)).toBe('sent');

    expect(await runBatch()).toEqual({ paused: 1, unreachable: 1, sent: 2, skipped: 1 });
    expect(await stateOf('a2')).toBe('paused');
    expect(await stateOf('g3')).toBe('unreachable');
    expect(pulsePosts()).toHaveLength(3);
  });

  it('waits the Retry-After of a 429 and then sends the rest once', async () => {
    await start();
    slack.trouble.set('chat.postMessage', { rateLimitSeconds: 7, times: 1 });
    const error = await runBatch().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryLaterError);
    expect((error as RetryLaterError).delayMs).toBe(7_000);
    const before = postedUsers().length;
    expect(before).toBeLessThan(4);

    later(7_000);
    const second = await runBatch();
    expect(second.sent).toBe(4 - before);
    expect(new Set(postedUsers()).size).toBe(4);
    expect(postedUsers()).toHaveLength(4);
  });

  it('after a 500 looks for the post before sending that delivery again', async () => {
    await start();
    slack.trouble.set('chat.postMessage', { serverError: true, times: 1 });
    await expect(runBatch()).rejects.toBeInstanceOf(RetryLaterError);
    const unknown = (
      await Promise.all(['a1', 'a2', 'g1', 'g2'].map(async (p) => [p, await stateOf(p)]))
    ).filter(([, s]) => s === 'sending');
    expect(unknown).toHaveLength(1);

    // Still settling: nothing is sent yet.
    await expect(runBatch()).rejects.toBeInstanceOf(RetryLaterError);
    later(3_000);
    expect(await runBatch()).toEqual({ sent: 1, skipped: 3 });
    expect(slack.callsOf('conversations.history')).toHaveLength(1);
    expect(postedUsers()).toHaveLength(4);
    expect(new Set(postedUsers()).size).toBe(4);
  });

  it('does not post again when a timed-out post landed after all', async () => {
    await start();
    slack.trouble.set('chat.postMessage', { delayMs: 900, times: 1 });
    await expect(runBatch()).rejects.toBeInstanceOf(RetryLaterError);
    for (let i = 0; i < 40 && postedUsers().length < 4; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    later(3_000);
    expect(await runBatch()).toEqual({ sent: 1, skipped: 3 });
    expect(postedUsers()).toHaveLength(4);
    expect(pulsePosts()).toHaveLength(4);
  });

  it('sends a person added before planning again in a job of its own id, once each', async () => {
    await start();
    const [first] = await batchJobs(rt);
    await rt.importYaml(
      acmeGlobexYaml(
        `${PEOPLE}      - { id: g5, side: provider, slack: { team: T1, user: U5 } }\n`,
        'UTC',
      ),
    );
    await sendPulseNow(rt.ctx, 'acme-globex');
    const jobs = await batchJobs(rt);
    expect(jobs).toHaveLength(2);
    const added = jobs.find((j) => j.id !== first?.id);
    expect(added?.deliveryIds).toContain(`${pulseId}--g5`);

    for (const job of jobs) await runBatch(job.deliveryIds);
    expect(postedUsers()).toHaveLength(5);
    expect(new Set(postedUsers()).size).toBe(5);
  });

  /** A Slack port on which `user` clicks the moment the message appears, before it is recorded. */
  const clickedAtOnce =
    (user: string) =>
    (port: ChatPort): ChatPort => ({
      platform: port.platform,
      sendLeaseMs: port.sendLeaseMs,
      updatePulse: (ref, view) => port.updatePulse(ref, view),
      sendNotice: (to, notice) => port.sendNotice(to, notice),
      updateNotice: (ref, notice) => port.updateNotice(ref, notice),
      findPulse: (to, id) => port.findPulse!(to, id),
      sendPulse: async (to, view) => {
        const message = await port.sendPulse(to, view);
        if (to.platform === 'slack' && to.user === user) {
          const result = await recordClick(rt.ctx, {
            deliveryId: view.deliveryId,
            questionId: view.questions[0]!.id,
            score: 9,
            identity: { platform: 'slack', team: 'T1', user },
          });
          expect(result.kind).toBe('recorded');
        }
        return message;
      },
    });

  it('keeps a click that lands between the post and its record as answered', async () => {
    await start(PEOPLE, clickedAtOnce('U1'));
    expect(await runBatch()).toEqual({ sent: 4 });
    expect(await stateOf('a1')).toBe('answered');
    expect(await stateOf('a2')).toBe('sent');
  });

  it('keeps such a click as answered when the delivery is sent on its own too', async () => {
    await start(PEOPLE, clickedAtOnce('U3'));
    expect(await deliver(rt.ctx, `${pulseId}--g1`)).toBe('sent');
    expect(await stateOf('g1')).toBe('answered');
  });

  it('stores a planned delivery as the schema would, defaults and all', async () => {
    await start();
    const planned = {
      _id: 'p--x',
      pulseId: 'p',
      engagementId: 'e',
      personId: 'x',
      personRef: null,
      side: 'client' as const,
      platform: 'slack' as const,
      state: 'scheduled' as const,
      questions: [{ id: 'q', dimension: 'advocacy', scale: 'nps' }],
      dueAt: START,
    };
    const at = new Date('2026-03-01T00:00:00Z');
    const bySchema = new rt.ctx.store.deliveries(planned).toObject();
    const byPlanning = newDelivery(planned, at);
    expect(Object.keys(byPlanning).sort()).toEqual(
      [...Object.keys(bySchema), 'createdAt', 'updatedAt'].sort(),
    );
    expect(byPlanning).toEqual({ ...bySchema, createdAt: at, updatedAt: at });
  });
});
