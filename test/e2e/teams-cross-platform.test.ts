import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAnswer } from '../../adapters/answer-value.js';
import type { Env } from '../../src/config/env.js';
import { openStore, type Store } from '../../src/store/store.js';
import { FakeConnector, type ConnectorActivity } from '../support/fake-connector.js';
import { FakeSlack, type FakeMessage } from '../support/fake-slack.js';
import { runCli, startBotProcess, type BotProcess } from '../support/processes.js';
import { blockActionsBody, signSlack, slashCommandBody } from '../support/slack-requests.js';
import {
  botAdded,
  cardAction,
  installed,
  teamsUser,
  typed,
  type TeamsUser,
} from '../support/teams-activities.js';
import { isolatedEnv } from '../support/test-env.js';
import { waitFor } from '../support/wait.js';

const SECRET = 'e2e-signing-secret';
const CONFIG = fileURLToPath(new URL('../fixtures/engagement.example.yaml', import.meta.url));
const TENANT = '6f1c2d3e-0000-4000-8000-00000000c0de';
const SLACK_TEAM = 'T0ORBIT';

const lc1 = teamsUser(TENANT, '1a2b3c4d-0000-4000-8000-0000000000c1', 'Lena Client');
const lc2 = teamsUser(TENANT, '1a2b3c4d-0000-4000-8000-0000000000c2', 'Luis Client');
const lc3 = teamsUser(TENANT, '1a2b3c4d-0000-4000-8000-0000000000c3', 'Lou Client');

interface CardAction {
  type: string;
  verb?: string;
  title: string;
  data?: { deliveryId: string; questionId: string; score: number };
}

interface Card {
  type: string;
  body: { type: string; text?: string; id?: string; actions?: CardAction[] }[];
}

function cardOf(activity: { attachments?: { contentType: string; content: Card }[] }): Card {
  const card = activity.attachments?.[0];
  if (card?.contentType !== 'application/vnd.microsoft.card.adaptive') throw new Error('no card');
  return card.content;
}

function cardText(card: Card): string {
  return card.body.map((b) => b.text ?? '').join('\n');
}

function answerButtons(card: Card, questionId: string): CardAction[] {
  return card.body.find((b) => b.id === `answers-${questionId}`)?.actions ?? [];
}

describe('an engagement whose client is on Teams and whose provider is on Slack', () => {
  const slack = new FakeSlack();
  const connector = new FakeConnector();
  let env: Env;
  let bot: BotProcess;
  let store: Store;

  const pulseOf = (user: TeamsUser): ConnectorActivity => {
    const found = connector.activitiesIn(user.conversationId).find((a) => a.body.attachments);
    if (!found) throw new Error(`no pulse for ${user.name}`);
    return found;
  };
  const slackMessageOf = (user: string) =>
    [...slack.messages.values()].find((m) => m.user === user) as FakeMessage;

  async function activity(body: unknown) {
    return fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  async function teamsClick(user: TeamsUser, questionId: string, score: number) {
    const pulse = pulseOf(user);
    const button = answerButtons(cardOf(pulse.body), questionId).find(
      (b) => b.data?.score === score,
    );
    if (!button?.verb) throw new Error(`no button ${score} for ${questionId}`);
    const res = await activity(
      cardAction(user, connector.url, pulse.id, { verb: button.verb, data: button.data }),
    );
    expect(res.status).toBe(200);
    return (await res.json()) as { statusCode: number; type: string; value: Card | string };
  }

  async function slackClick(user: string, questionId: string, score: number) {
    const message = slackMessageOf(user);
    const block = message.blocks.find(
      (b) => (b as { block_id?: string }).block_id === `q-${questionId}`,
    ) as { elements: { action_id: string; value: string }[] };
    const button = block.elements.find((b) => decodeAnswer(b.value)?.score === score)!;
    const signed = signSlack(
      SECRET,
      blockActionsBody({
        team: SLACK_TEAM,
        user,
        channel: message.channel,
        messageTs: message.ts,
        actionId: button.action_id,
        blockId: `q-${questionId}`,
        value: button.value,
        responseUrl: slack.responseUrl(`${user}-${score}`),
      }),
    );
    const res = await fetch(`${bot.url}/slack/events`, {
      method: 'POST',
      body: signed.body,
      headers: signed.headers,
    });
    expect(res.status).toBe(200);
  }

  async function slackScores(user: string) {
    const signed = signSlack(
      SECRET,
      slashCommandBody({
        team: SLACK_TEAM,
        user,
        text: 'scores',
        responseUrl: slack.responseUrl('cmd'),
      }),
    );
    const res = await fetch(`${bot.url}/slack/events`, {
      method: 'POST',
      body: signed.body,
      headers: signed.headers,
    });
    const reply = (await res.json()) as { blocks?: { text: { text: string } }[] };
    return reply.blocks?.map((b) => b.text.text).join('\n') ?? '';
  }

  async function lastReplyTo(user: TeamsUser, before: number) {
    await waitFor(() =>
      expect(connector.activitiesIn(user.conversationId).length).toBe(before + 1),
    );
    return connector.activitiesIn(user.conversationId).at(-1)!.body;
  }

  beforeAll(async () => {
    await Promise.all([slack.start(), connector.start()]);
    for (const u of [lc1, lc2, lc3]) connector.conversations.add(u.conversationId);
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
    await Promise.all([slack.stop(), connector.stop()]);
  });

  it('counts the Teams people the app is not installed for as not reachable yet', async () => {
    const text = await slackScores('U0OR00001');
    expect(text).toContain('*Not reachable yet*');
    expect(text).toContain('Lakeside Health (client): 3 people');
    expect(text).toContain('Orbit Services (provider): 0 people');
  });

  it('keeps the conversation reference when a configured person installs the app', async () => {
    expect((await activity(botAdded(lc1, connector.url))).status).toBe(200);
    expect((await activity(installed(lc2, connector.url))).status).toBe(200);
    expect((await activity(botAdded(lc3, connector.url))).status).toBe(200);
    const people = await store.people
      .find({ engagementId: 'lakeside-orbit', side: 'client' })
      .lean();
    for (const p of people) {
      expect(p.teamsReference).toMatchObject({
        channelId: 'msteams',
        serviceUrl: connector.url,
        conversation: { conversationType: 'personal', tenantId: TENANT },
        agent: { id: expect.stringMatching(/^28:/) as string },
      });
    }
    expect(await slackScores('U0OR00001')).not.toContain('Not reachable yet');
  });

  it('ignores an install by someone who is not configured', async () => {
    const stranger = teamsUser(TENANT, '1a2b3c4d-0000-4000-8000-0000000000ff', 'Stranger');
    expect((await activity(botAdded(stranger, connector.url))).status).toBe(200);
    expect(await store.people.countDocuments({ teamsReference: { $ne: null } })).toBe(3);
  });

  it("stores the time zone a Teams client reports as the person's platform time zone", async () => {
    lc2.timezone = 'America/New_York';
    const before = connector.activitiesIn(lc2.conversationId).length;
    expect((await activity(typed(lc2, connector.url, 'hello'))).status).toBe(200);
    await lastReplyTo(lc2, before);
    const person = await store.people.findOne({ personId: 'lc2' }).lean();
    expect(person?.platformTimezone).toBe('America/New_York');
  });

  it('sends the pulse to both sides: cards on Teams, DMs on Slack', async () => {
    const sent = await runCli(env, ['pulse', 'send', 'lakeside-orbit']);
    expect(sent.stdout).toMatch(/started: 6 deliveries/);
    await waitFor(() => {
      expect(slack.callsOf('chat.postMessage')).toHaveLength(3);
      for (const u of [lc1, lc2, lc3]) expect(pulseOf(u)).toBeDefined();
    }, 15_000);
    const card = cardOf(pulseOf(lc1).body);
    expect(cardText(card)).toContain('How likely are you to recommend Orbit Services');
    const nps = answerButtons(card, 'advocacy');
    expect(nps.map((b) => b.data?.score)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(nps.every((b) => b.type === 'Action.Execute')).toBe(true);
    await waitFor(async () => {
      const deliveries = await store.deliveries.find({ engagementId: 'lakeside-orbit' }).lean();
      expect(deliveries.map((d) => `${d.personId}:${d.platform}:${d.state}`).sort()).toEqual([
        'lc1:teams:sent',
        'lc2:teams:sent',
        'lc3:teams:sent',
        'op1:slack:sent',
        'op2:slack:sent',
        'op3:slack:sent',
      ]);
    });
    const posted = connector.calls.filter((c) => c.body.attachments && c.method === 'POST');
    expect(posted.map((c) => c.path.split('/activities')[0]).sort()).toEqual(
      [lc1, lc2, lc3].map((u) => `/v3/conversations/${u.conversationId}`).sort(),
    );
    for (const call of posted) expect((call.body.from as { id: string }).id).toMatch(/^28:/);
  });

  it('answers a Teams click in the invoke response with the card showing the choice', async () => {
    const reply = await teamsClick(lc1, 'advocacy', 9);
    expect(reply).toMatchObject({
      statusCode: 200,
      type: 'application/vnd.microsoft.card.adaptive',
    });
    const card = reply.value as Card;
    const chosen = answerButtons(card, 'advocacy').filter((b) => b.title.startsWith('✓'));
    expect(chosen.map((b) => b.data?.score)).toEqual([9]);
    expect(cardText(card)).toContain('You chose 9. Click another to change it.');
    expect(await store.answers.countDocuments({ personId: 'lc1' })).toBe(1);
    await waitFor(() => expect(pulseOf(lc1).updates).toBeGreaterThan(0));
  });

  it('lets a Teams answer change until the pulse closes, keeping one answer', async () => {
    await teamsClick(lc2, 'advocacy', 10);
    await teamsClick(lc3, 'advocacy', 4);
    await teamsClick(lc3, 'advocacy', 9);
    const answers = await store.answers.find({ personId: 'lc3', questionId: 'advocacy' }).lean();
    expect(answers.map((a) => [a.score, a.source])).toEqual([[9, 'teams']]);
  });

  it("refuses a click on someone else's Teams pulse and stores nothing", async () => {
    const theirs = pulseOf(lc1);
    const button = answerButtons(cardOf(theirs.body), 'advocacy')[0]!;
    const res = await activity(
      cardAction(lc2, connector.url, theirs.id, { verb: 'answer', data: button.data }),
    );
    const body = (await res.json()) as { value: string };
    expect(body.value).toMatch(/someone else/);
    const answer = await store.answers.findOne({ personId: 'lc1', questionId: 'advocacy' }).lean();
    expect(answer?.score).toBe(9);
  });

  it("counts each side's answers in the scores, asked for in Teams and in Slack", async () => {
    await slackClick('U0OR00001', 'advocacy', 3);
    await slackClick('U0OR00002', 'advocacy', 9);
    await slackClick('U0OR00003', 'advocacy', 10);
    expect(await store.answers.countDocuments({ side: 'provider' })).toBe(3);
    const before = connector.activitiesIn(lc1.conversationId).length;
    const res = await activity(typed(lc1, connector.url, 'scores'));
    expect(res.status).toBe(200);
    const text = cardText(cardOf(await lastReplyTo(lc1, before)));
    // Client: 9, 10, 9 are all promoters, NPS +100; provider: 3 detractor, 9 and 10 promoters.
    expect(text).toMatch(/Client NPS: \+100 \(.+\), n=3/);
    expect(text).toMatch(/Client-of-choice score: \+33 \(.+\), n=3/);
    expect(text).not.toContain('Not reachable yet');
    const slackText = await slackScores('U0OR00001');
    expect(slackText).toMatch(/Client NPS: \+100 \(.+\), n=3/);
    expect(slackText).toMatch(/Client-of-choice score: \+33 \(.+\), n=3/);
  });

  it('politely refuses scores in Teams to someone who is not a relationship manager', async () => {
    const before = connector.activitiesIn(lc3.conversationId).length;
    await activity(typed(lc3, connector.url, 'scores'));
    const reply = await lastReplyTo(lc3, before);
    expect(reply.text).toMatch(/relationship managers only/);
    expect(reply.attachments).toBeUndefined();
  });

  it('shows the closed card for a Teams click after close, storing nothing', async () => {
    await store.pulses.updateMany({ engagementId: 'lakeside-orbit' }, { closedAt: new Date() });
    const reply = await teamsClick(lc2, 'advocacy', 0);
    const card = reply.value as Card;
    expect(cardText(card)).toContain('has closed');
    expect(cardText(card)).toContain('You answered 10');
    expect(answerButtons(card, 'advocacy')).toEqual([]);
    const answer = await store.answers.findOne({ personId: 'lc2', questionId: 'advocacy' }).lean();
    expect(answer?.score).toBe(10);
  });
});
