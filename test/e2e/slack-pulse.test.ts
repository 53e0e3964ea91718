import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAnswer } from '../../adapters/answer-value.js';
import type { Env } from '../../src/config/env.js';
import { openStore, type Store } from '../../src/store/store.js';
import { FakeSlack, type FakeMessage } from '../support/fake-slack.js';
import { runCli, startBotProcess, type BotProcess } from '../support/processes.js';
import { blockActionsBody, signSlack, slashCommandBody } from '../support/slack-requests.js';
import { isolatedEnv } from '../support/test-env.js';
import { waitFor } from '../support/wait.js';

const SECRET = 'e2e-signing-secret';
const EXAMPLE = fileURLToPath(new URL('../fixtures/engagement.example.yaml', import.meta.url));
// Without its quiet hours, so that "send now" reaches all six people whatever the hour.
const CONFIG = join(tmpdir(), `rapport-e2e-${process.pid}.yaml`);
writeFileSync(CONFIG, readFileSync(EXAMPLE, 'utf8').replace(/^\s*quietHours:.*\n/m, ''));
const TEAM = 'T0HARBOR';

interface Button {
  action_id: string;
  value: string;
  style?: string;
}

function buttonsOf(message: FakeMessage, questionId: string): Button[] {
  const block = message.blocks.find(
    (b) => (b as { block_id?: string }).block_id === `q-${questionId}`,
  ) as { elements: Button[] } | undefined;
  return block?.elements ?? [];
}

describe('a Slack pulse, end to end', () => {
  const slack = new FakeSlack();
  let env: Env;
  let bot: BotProcess;
  let store: Store;
  const messageOf = (user: string) =>
    [...slack.messages.values()].find((m) => m.user === user) as FakeMessage;

  async function post(path: string, body: string, headers: Record<string, string>) {
    return fetch(`${bot.url}${path}`, { method: 'POST', body, headers });
  }

  async function click(user: string, questionId: string, score: number, extra = {}) {
    const message = messageOf(user);
    const button = buttonsOf(message, questionId).find(
      (b) => decodeAnswer(b.value)?.score === score,
    );
    if (!button) throw new Error(`no button ${score} for ${questionId}`);
    const body = blockActionsBody({
      team: TEAM,
      user,
      channel: message.channel,
      messageTs: message.ts,
      actionId: button.action_id,
      blockId: `q-${questionId}`,
      value: button.value,
      responseUrl: slack.responseUrl(`${user}-${score}`),
    });
    const signed = signSlack(SECRET, body);
    return post('/slack/events', signed.body, { ...signed.headers, ...extra });
  }

  async function slash(user: string, text: string) {
    const signed = signSlack(
      SECRET,
      slashCommandBody({
        team: TEAM,
        user,
        text,
        responseUrl: slack.responseUrl(`cmd-${user}`),
      }),
    );
    const res = await post('/slack/events', signed.body, signed.headers);
    expect(res.status).toBe(200);
    return (await res.json()) as { text: string; blocks?: { text: { text: string } }[] };
  }

  const answerCount = () => store.answers.countDocuments();

  beforeAll(async () => {
    await slack.start();
    env = isolatedEnv();
    bot = await startBotProcess(env, {
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_API_URL: slack.url,
      RAPPORT_CONFIG: CONFIG,
    });
    store = await openStore(env.MONGODB_URI);
  });

  afterAll(async () => {
    await bot?.stop();
    await store?.connection.dropDatabase();
    await store?.connection.close();
    await slack.stop();
  });

  it('answers health and readiness checks', async () => {
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${bot.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ database: true, redis: true });
  });

  it('sends a pulse as a DM to each of the six people, with eleven NPS buttons', async () => {
    const sent = await runCli(env, ['pulse', 'send', 'harbor-meridian']);
    expect(sent.stderr).toBe('');
    expect(sent.stdout).toMatch(/pulse harbor-meridian--\d{4}-\d{2}-\d{2} started: 6 deliveries/);
    await waitFor(() => expect(slack.callsOf('chat.postMessage')).toHaveLength(6), 15_000);
    expect(
      slack
        .callsOf('conversations.open')
        .map((c) => c.args.users)
        .sort(),
    ).toEqual(['U0CL00001', 'U0CL00002', 'U0CL00003', 'U0PR00001', 'U0PR00002', 'U0PR00003']);
    const nps = buttonsOf(messageOf('U0CL00001'), 'advocacy');
    expect(nps.map((b) => decodeAnswer(b.value)?.score)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    // The sends of a batch are recorded together, a moment after the posts.
    await waitFor(async () => {
      const delivery = await store.deliveries.findOne({ personId: 'c01' }).lean();
      expect(delivery).toMatchObject({ state: 'sent', message: { channel: 'D0CL00001' } });
    });
  });

  it('sends nothing more when the same pulse is started again', async () => {
    const again = await runCli(env, ['pulse', 'send', 'harbor-meridian']);
    expect(again.stdout).toMatch(/already started today/);
    await new Promise((r) => setTimeout(r, 1000));
    expect(slack.callsOf('chat.postMessage')).toHaveLength(6);
    expect(await store.pulses.countDocuments()).toBe(1);
  });

  it('stores a click and updates the message in place to show the choice', async () => {
    expect((await click('U0CL00001', 'advocacy', 9)).status).toBe(200);
    expect((await click('U0CL00002', 'advocacy', 10)).status).toBe(200);
    expect((await click('U0CL00003', 'advocacy', 6)).status).toBe(200);
    expect(await answerCount()).toBe(3);
    await waitFor(() => expect(messageOf('U0CL00001').updates).toBeGreaterThan(0));
    const chosen = buttonsOf(messageOf('U0CL00001'), 'advocacy').filter(
      (b) => b.style === 'primary',
    );
    expect(chosen.map((b) => decodeAnswer(b.value)?.score)).toEqual([9]);
    expect(JSON.stringify(messageOf('U0CL00001').blocks)).toContain('Click another to change it');
  });

  it('replaces the answer when another number is clicked', async () => {
    await click('U0CL00003', 'advocacy', 9);
    const answers = await store.answers.find({ personId: 'c03', questionId: 'advocacy' }).lean();
    expect(answers.map((a) => a.score)).toEqual([9]);
    await waitFor(() => {
      const chosen = buttonsOf(messageOf('U0CL00003'), 'advocacy').filter((b) => b.style);
      expect(chosen.map((b) => decodeAnswer(b.value)?.score)).toEqual([9]);
    });
  });

  it('stores one answer for a double click and for a Slack retry', async () => {
    await Promise.all([click('U0CL00001', 'advocacy', 9), click('U0CL00001', 'advocacy', 9)]);
    const retry = await click('U0CL00001', 'advocacy', 9, {
      'x-slack-retry-num': '1',
      'x-slack-retry-reason': 'http_timeout',
    });
    expect(retry.status).toBe(200);
    expect(await store.answers.countDocuments({ personId: 'c01' })).toBe(1);
    expect(await answerCount()).toBe(3);
  });

  it('refuses a wrong signature, a missing one and a stale timestamp with 401', async () => {
    const message = messageOf('U0CL00002');
    const body = blockActionsBody({
      team: TEAM,
      user: 'U0CL00002',
      channel: message.channel,
      messageTs: message.ts,
      actionId: 'answer-advocacy-0',
      blockId: 'q-advocacy',
      value: buttonsOf(message, 'advocacy')[0]!.value,
      responseUrl: slack.responseUrl('x'),
    });
    const forged = signSlack('not-the-secret', body);
    expect((await post('/slack/events', body, forged.headers)).status).toBe(401);
    const unsigned = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await post('/slack/events', body, unsigned)).status).toBe(401);
    const stale = signSlack(SECRET, body, undefined, Math.floor(Date.now() / 1000) - 6 * 60);
    expect((await post('/slack/events', body, stale.headers)).status).toBe(401);
    const answer = await store.answers.findOne({ personId: 'c02' }).lean();
    expect(answer?.score).toBe(10);
  });

  it('answers malformed bodies with 400 at once and stores nothing', async () => {
    const bodies = [
      'payload=%7Bnot-json',
      '',
      'foo=bar',
      'payload=null',
      `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U' } }))}`,
      `payload=${encodeURIComponent(JSON.stringify({ type: 'mystery' }))}`,
      'command=%2Fother&team_id=T0HARBOR&user_id=U0CL00002&text=scores',
    ];
    for (const body of bodies) {
      const signed = signSlack(SECRET, body);
      const started = Date.now();
      const res = await post('/slack/events', signed.body, signed.headers);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(Date.now() - started).toBeLessThan(2000);
    }
    expect(await answerCount()).toBe(3);
  });

  it('gives relationship managers the client NPS and the number of answers', async () => {
    const reply = await slash('U0CL00002', 'scores');
    const text = reply.blocks?.map((b) => b.text.text).join('\n') ?? '';
    // Promoters c01 (9), c02 (10), c03 (9 after the change): NPS +100 over n = 3.
    expect(text).toMatch(/Client NPS: \+100 \(.+\), n=3/);
    expect(text).toMatch(/Client-of-choice score: hidden until 3 more people answer \(n=0\)/);
  });

  it('politely refuses scores to anyone else and explains an unknown engagement', async () => {
    expect((await slash('U0CL00001', 'scores')).text).toMatch(/relationship managers only/);
    expect((await slash('U0CL00002', 'scores nope')).text).toBe(
      'There is no engagement called "nope".',
    );
  });

  it('prints the same figures from the CLI as JSON', async () => {
    const out = await runCli(env, ['scores', 'harbor-meridian', '--json']);
    expect(out.code).toBe(0);
    const report = JSON.parse(out.stdout) as {
      sides: { client: { advocacy: { n: number; people: number; value: number } } };
    };
    expect(report.sides.client.advocacy).toMatchObject({ n: 3, people: 3, value: 100 });
  });
});
