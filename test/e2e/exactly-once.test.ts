import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dateIn, WEEKDAYS } from '../../src/domain/cadence.js';
import { FakeSlack, type Trouble } from '../support/fake-slack.js';
import { testRuntime, type TestRuntime } from '../support/runtime.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-processes.js';

const PEOPLE = ['U1', 'U2', 'U3', 'U4'];

/** An engagement whose pulse falls due today at 00:00 UTC, so a booting worker sends it now. */
function engagementDueNow(): string {
  const today = dateIn(new Date(), 'UTC');
  const weekday = WEEKDAYS[new Date(`${today}T00:00:00Z`).getUTCDay()];
  const people = PEOPLE.map((u, i) => {
    const side = i % 2 ? 'provider' : 'client';
    return `      - { id: p${i}, side: ${side}, slack: { team: T1, user: ${u} } }`;
  });
  return [
    'engagements:',
    '  - id: acme-globex',
    '    name: Acme x Globex',
    '    client: Acme',
    '    provider: Globex',
    '    timezone: UTC',
    `    cadence: { every: 1 week, on: ${weekday}, at: "00:00", startsOn: ${today} }`,
    '    people:',
    ...people,
  ].join('\n');
}

describe('exactly one message per delivery, with two worker processes', () => {
  let slack: FakeSlack;
  let rt: TestRuntime;
  let workers: WorkerProcess[] = [];

  beforeEach(async () => {
    slack = await new FakeSlack().start();
    for (const u of PEOPLE) slack.users.set(u, { tz: 'UTC' });
    rt = await testRuntime();
    await rt.importYaml(engagementDueNow());
  });
  afterEach(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    workers = [];
    await rt.dispose();
    await slack.stop();
  });

  function boot(count: number, extra: Record<string, string> = {}) {
    const vars = {
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: 'unused-here',
      SLACK_API_URL: slack.url,
      SLACK_TIMEOUT_MS: '1000',
      ...extra,
    };
    return Promise.all(Array.from({ length: count }, () => startWorkerProcess(rt.env, vars)));
  }

  const pulses = () => slack.callsOf('chat.postMessage').filter((c) => c.args.metadata);
  const channels = () => [...slack.messages.values()].map((m) => m.channel).sort();

  async function allSent(timeoutMs = 25_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const sent = await rt.ctx.store.deliveries.countDocuments({ state: 'sent' });
      if (sent === PEOPLE.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    // Anything still in flight would land within this.
    await new Promise((r) => setTimeout(r, 1_500));
  }

  const oneEach = () => PEOPLE.map((u) => `D${u.slice(1)}`).sort();

  it('when both boot at once: one scheduler, one pulse, one message each', async () => {
    workers = await boot(2);
    await allSent();
    expect(channels()).toEqual(oneEach());
    const planners = (await rt.ctx.jobs.queue.getJobSchedulers()).filter(
      (s) => s.name === 'plan-pulses',
    );
    expect(planners).toHaveLength(1);
    expect(await rt.ctx.store.pulses.countDocuments()).toBe(1);
    expect(await rt.ctx.store.deliveries.countDocuments({ state: 'sent' })).toBe(PEOPLE.length);
  });

  const troubles: [string, Trouble][] = [
    ['Slack answers later than the client waits', { delayMs: 2_500, times: 2 }],
    ['Slack answers 500', { serverError: true, times: 2 }],
  ];
  for (const [name, trouble] of troubles) {
    it(`when ${name}`, async () => {
      slack.trouble.set('chat.postMessage', trouble);
      workers = await boot(2);
      await allSent();
      expect(channels()).toEqual(oneEach());
    });
  }

  it('when Slack answers 429, waiting the Retry-After before posting again', async () => {
    slack.trouble.set('chat.postMessage', { rateLimitSeconds: 2, times: 1 });
    workers = await boot(2);
    await allSent();
    expect(channels()).toEqual(oneEach());
    const calls = slack.callsOf('chat.postMessage');
    const limited = calls[0]!;
    const retry = calls.slice(1).find((c) => c.args.channel === limited.args.channel);
    expect(retry!.at - limited.at).toBeGreaterThanOrEqual(2_000);
  });

  it('when the process dies mid-send and two others take over', async () => {
    slack.trouble.set('chat.postMessage', { delayMs: 2_000, times: PEOPLE.length });
    const [first] = await boot(1, { RAPPORT_JOB_LOCK_MS: '2000' });
    const deadline = Date.now() + 20_000;
    while (pulses().length < PEOPLE.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await first!.kill();
    workers = await boot(2, { RAPPORT_JOB_LOCK_MS: '2000' });
    await allSent(40_000);
    expect(channels()).toEqual(oneEach());
    expect(pulses()).toHaveLength(PEOPLE.length);
  }, 60_000);
});
