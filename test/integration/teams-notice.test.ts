import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAction } from '../../adapters/actions.js';
import type { ChatAddress } from '../../adapters/chat-port.js';
import { chatAddress } from '../../src/services/people.js';
import { FakeConnector } from '../support/fake-connector.js';
import { botAdded, cardAction, teamsUser } from '../support/teams-activities.js';
import { teamsInProcess, type TeamsInProcess } from '../support/teams-in-process.js';

const TENANT = '7a000000-0000-4000-8000-0000000000aa';
const ana = teamsUser(TENANT, '7a000000-0000-4000-8000-0000000000a1', 'Ana');

const YAML = `
engagements:
  - id: notice-test
    name: Notice test
    client: Client Co
    provider: Provider Co
    timezone: Europe/Berlin
    cadence: { every: 1 week, on: monday, at: "09:00", startsOn: 2026-01-05 }
    people:
      - { id: a1, side: client, roles: [governance_lead],
          teams: { tenant: ${TENANT}, user: ${ana.aadObjectId} } }
`;

registerAction('test-confirm', (_ctx, click) =>
  Promise.resolve({
    notice: {
      title: `Confirmed ${click.value}`,
      lines: [`Note: ${click.inputs.note ?? '(none)'}`, `By: ${JSON.stringify(click.actor)}`],
    },
  }),
);

interface Card {
  body: { type: string; id?: string; text?: string }[];
  actions?: { type: string; verb: string; data: { action: string; value: string } }[];
}

describe('Teams notices', () => {
  const connector = new FakeConnector();
  let t: TeamsInProcess;
  let address: ChatAddress;

  async function activity(body: unknown) {
    const res = await t.post(body);
    return { status: res.status, body: res.body as { type: string; value: unknown } };
  }

  beforeAll(async () => {
    await connector.start();
    connector.conversations.add(ana.conversationId);
    t = await teamsInProcess(YAML);
    await t.post(botAdded(ana, connector.url));
    const person = await t.rt.ctx.store.people.findOne({ personId: 'a1' }).lean();
    address = chatAddress(person!)!;
  });

  afterAll(async () => {
    await t?.close();
    await connector.stop();
  });

  it('sends a notice as a card with its input fields and Action.Execute buttons', async () => {
    expect(address.platform).toBe('teams');
    const ref = await t.teams.chat.sendNotice(address, {
      title: 'Milestone due',
      lines: ['Agree terms of reference is due on 10 Feb.'],
      inputs: [{ id: 'note', label: 'Note', kind: 'text' }],
      buttons: [{ action: 'test-confirm', label: 'Done', value: 'gov-board-terms' }],
    });
    expect(ref).toMatchObject({ platform: 'teams', activityId: expect.any(String) as string });
    const sent = connector.activitiesIn(ana.conversationId).at(-1)!;
    const card = (sent.body.attachments as { content: Card }[])[0]!.content;
    expect(card.body.map((b) => b.type)).toEqual(['TextBlock', 'TextBlock', 'Input.Text']);
    expect(card.actions?.[0]).toMatchObject({
      type: 'Action.Execute',
      verb: 'notice',
      data: { action: 'test-confirm', value: 'gov-board-terms' },
    });
  });

  it('dispatches a notice click with its inputs and answers with the new card', async () => {
    const sent = connector.activitiesIn(ana.conversationId).at(-1)!;
    const reply = await activity(
      cardAction(ana, connector.url, sent.id, {
        verb: 'notice',
        data: { action: 'test-confirm', value: 'gov-board-terms', 'input-note': 'minuted' },
      }),
    );
    expect(reply.status).toBe(200);
    expect(reply.body.type).toBe('application/vnd.microsoft.card.adaptive');
    const text = (reply.body.value as Card).body.map((b) => b.text).join('\n');
    expect(text).toContain('Confirmed gov-board-terms');
    expect(text).toContain('Note: minuted');
    expect(text).toContain(`"tenant":"${TENANT}","user":"${ana.aadObjectId}"`);
  });

  it('answers a click on an action nobody registered politely, in a message', async () => {
    const reply = await activity(
      cardAction(ana, connector.url, 'x', { verb: 'notice', data: { action: 'gone', value: '' } }),
    );
    expect(reply.body).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: 'That button no longer does anything. Sorry about that.',
    });
  });

  it('redraws a sent notice in place', async () => {
    const ref = await t.teams.chat.sendNotice(address, { title: 'Before', lines: [] });
    await t.teams.chat.updateNotice(ref, { title: 'After', lines: ['changed'] });
    const activityId = ref.platform === 'teams' ? ref.activityId : '';
    const stored = connector.activities.get(activityId)!;
    expect(stored.updates).toBe(1);
    expect(JSON.stringify(stored.body)).toContain('After');
  });
});
