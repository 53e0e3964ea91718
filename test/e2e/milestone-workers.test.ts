import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobId } from '../../jobs/catalog.js';
import { JobQueue, redisConnection } from '../../jobs/queue.js';
import type { Env } from '../../src/config/env.js';
import { openStore, type Store } from '../../src/store/store.js';
import { FakeSlack, type FakeMessage } from '../support/fake-slack.js';
import { buttonsOf, PLAN_YAML } from '../support/plan-harness.js';
import { runCli, startBotProcess, type BotProcess } from '../support/processes.js';
import { blockActionsBody, signSlack } from '../support/slack-requests.js';
import { isolatedEnv } from '../support/test-env.js';
import { waitFor } from '../support/wait.js';

const SECRET = 'workers-signing-secret';

describe('milestone steps with two worker processes and a restart', () => {
  const slack = new FakeSlack();
  let env: Env;
  let dir: string;
  let store: Store;
  let queue: JobQueue;
  const bots: BotProcess[] = [];

  const start = async () => {
    const bot = await startBotProcess(env, {
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_API_URL: slack.url,
      RAPPORT_CONFIG: join(dir, 'plan.yaml'),
    });
    bots.push(bot);
    return bot;
  };
  const stopAll = async () => {
    await Promise.all(bots.splice(0).map((b) => b.stop()));
  };
  /** Plan messages only: a bot started on a pulse day may also send that day's pulse. */
  const planPosts = (): FakeMessage[] =>
    [...slack.messages.values()].filter((m) => m.text.includes('Agree terms'));

  /** Queues `copies` checks for 09:00 Chicago on `date` and waits until all have run. */
  async function checkVia(workers: string, date: string, copies: number) {
    const ids = Array.from({ length: copies }, (_, i) => jobId('test', workers, date, String(i)));
    const asOf = new Date(`${date}T15:00:00Z`).toISOString();
    for (const id of ids) {
      await queue.enqueue('check-milestones', { engagementId: 'harbor', asOf }, { jobId: id });
    }
    await waitFor(async () => {
      for (const id of ids) expect(await (await queue.queue.getJob(id))?.isCompleted()).toBe(true);
    }, 20_000);
  }

  beforeAll(async () => {
    await slack.start();
    env = isolatedEnv();
    dir = await mkdtemp(join(tmpdir(), 'rapport-plan-'));
    await writeFile(join(dir, 'plan.yaml'), PLAN_YAML);
    // One after the other: two imports of one file at once race on the people upserts.
    await start();
    await start();
    store = await openStore(env.MONGODB_URI);
    queue = new JobQueue(
      redisConnection(env.REDIS_URL, 'worker', (err) => {
        throw err;
      }),
      env.RAPPORT_QUEUE_PREFIX,
    );
  });

  afterAll(async () => {
    await stopAll();
    await queue?.queue.obliterate({ force: true });
    await queue?.close();
    queue?.connection.disconnect();
    await store?.connection.dropDatabase();
    await store?.connection.close();
    await slack.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends the due-day nudge once to each owner when both workers run the check', async () => {
    await checkVia('two', '2026-02-10', 8);
    expect(
      planPosts()
        .map((m) => m.channel)
        .sort(),
    ).toEqual(['D0C03', 'D0P03']);
    expect(await store.planNotices.countDocuments({ state: 'sent' })).toBe(2);
  });

  it('sends the +2 nudge once when two CLI checks race each other', async () => {
    const [a, b] = await Promise.all([
      runCli(env, ['milestones', 'check', 'harbor', '--as-of', '2026-02-12T15:00Z'], {
        SLACK_BOT_TOKEN: slack.token,
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.url,
      }),
      runCli(env, ['milestones', 'check', '--as-of', '2026-02-12T15:00Z'], {
        SLACK_BOT_TOKEN: slack.token,
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.url,
      }),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const nudges = [a.stdout, b.stdout].map((s) => Number(/(\d+) nudges/.exec(s)?.[1]));
    expect(nudges[0]! + nudges[1]!).toBe(2);
    expect(planPosts()).toHaveLength(4);
  });

  it('sends nothing again after a restart, then the next step, and none once done', async () => {
    await stopAll();
    const bot = await start();
    await checkVia('restart', '2026-02-10', 2);
    await checkVia('restart', '2026-02-12', 2);
    expect(planPosts()).toHaveLength(4);
    await checkVia('restart', '2026-02-15', 2);
    expect(planPosts()).toHaveLength(6);

    const nudge = planPosts().find((m) => m.channel === 'D0C03' && m.text.includes('5 days'));
    const done = buttonsOf(nudge!).find((b) => b.action_id.startsWith('notice--milestone-done'));
    const body = blockActionsBody({
      team: 'T1',
      user: 'U0C03',
      channel: nudge!.channel,
      messageTs: nudge!.ts,
      actionId: done!.action_id,
      blockId: 'b',
      value: done!.value,
      responseUrl: slack.responseUrl('done'),
    });
    const signed = signSlack(SECRET, body);
    const res = await fetch(`${bot.url}/slack/events`, {
      method: 'POST',
      body: signed.body,
      headers: signed.headers,
    });
    expect(res.status).toBe(200);
    await waitFor(async () =>
      expect((await store.milestones.findById('harbor--terms').lean())?.state).toBe('done'),
    );
    await checkVia('restart', '2026-02-17', 2);
    expect(planPosts()).toHaveLength(6);
  });
});
