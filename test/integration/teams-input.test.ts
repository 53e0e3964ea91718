import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver } from '../../src/services/deliveries.js';
import { unreachablePeople } from '../../src/services/people.js';
import { deliveryIdFor, sendPulseNow } from '../../src/services/pulses.js';
import { FakeConnector } from '../support/fake-connector.js';
import { botAdded, cardAction, teamsUser, typed } from '../support/teams-activities.js';
import { teamsInProcess, type TeamsInProcess } from '../support/teams-in-process.js';

const TENANT = '7c000000-0000-4000-8000-0000000000cc';
const cai = teamsUser(TENANT, '7c000000-0000-4000-8000-0000000000c1', 'Cai');
const dee = teamsUser(TENANT, '7c000000-0000-4000-8000-0000000000c2', 'Dee');
const eve = teamsUser(TENANT, '7c000000-0000-4000-8000-0000000000c3', 'Eve');

const YAML = `
engagements:
  - id: input-test
    name: Input test
    client: Client Co
    provider: Provider Co
    timezone: Europe/Berlin
    cadence: { every: 1 week, on: monday, at: "09:00", startsOn: 2026-01-05 }
    people:
      - { id: c1, side: client, roles: [relationship_manager],
          teams: { tenant: ${TENANT}, user: ${cai.aadObjectId} } }
      - { id: c2, side: client, roles: [stakeholder], timezone: Asia/Tokyo,
          teams: { tenant: ${TENANT}, user: ${dee.aadObjectId} } }
      - { id: c3, side: client, roles: [stakeholder],
          teams: { tenant: ${TENANT}, user: ${eve.aadObjectId} } }
      - { id: p1, side: provider, roles: [stakeholder], slack: { team: T0P, user: U0P1 } }
`;

describe('Teams input Rapport cannot use', () => {
  const connector = new FakeConnector();
  let t: TeamsInProcess;

  const raw = (body: string) =>
    fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  beforeAll(async () => {
    await connector.start();
    for (const u of [cai, dee]) connector.conversations.add(u.conversationId);
    t = await teamsInProcess(YAML);
  });

  afterAll(async () => {
    await t?.close();
    await connector.stop();
  });

  it('lists Teams people the app is not installed for as unreachable, by side', async () => {
    expect(await unreachablePeople(t.rt.ctx.store, 'input-test')).toEqual({
      client: ['c1', 'c2', 'c3'],
      provider: [],
    });
    await t.post(botAdded(cai, connector.url));
    expect(await unreachablePeople(t.rt.ctx.store, 'input-test')).toEqual({
      client: ['c2', 'c3'],
      provider: [],
    });
  });

  it('answers malformed JSON or a non-activity with 400, storing nothing', async () => {
    expect((await raw('{"type": "conversationUpdate",')).status).toBe(400);
    expect((await raw('[1, 2]')).status).toBe(400);
    const noConversation = { ...botAdded(dee, connector.url), conversation: undefined };
    expect((await t.post(noConversation)).status).toBe(400);
    const dees = await t.rt.ctx.store.people.findOne({ personId: 'c2' }).lean();
    expect(dees?.teamsReference ?? null).toBeNull();
  });

  it('answers a click that Rapport did not make with a message, not an error', async () => {
    const forged = await t.post(
      cardAction(cai, connector.url, 'x', { verb: 'answer', data: { deliveryId: 'd' } }),
    );
    expect(forged.body).toMatchObject({ value: 'That button is not one Rapport made.' });
    const unknown = await t.post(
      cardAction(cai, connector.url, 'x', {
        verb: 'answer',
        data: { deliveryId: 'no-such', questionId: 'advocacy', score: 9 },
      }),
    );
    expect(unknown.body).toMatchObject({ value: expect.stringMatching(/someone else/) as string });
    const verb = await t.post(cardAction(cai, connector.url, 'x', { verb: 'dance', data: {} }));
    expect(verb.body).toMatchObject({ value: 'Rapport does not know that action.' });
    expect(await t.rt.ctx.store.answers.countDocuments()).toBe(0);
  });

  it('stores the reported zone beside the file’s, ignoring a name that is no zone', async () => {
    await t.post(typed({ ...dee, timezone: 'Europe/Lisbon' }, connector.url, 'hi'));
    await t.post(typed({ ...cai, timezone: 'Not/AZone' }, connector.url, 'hi'));
    const [c1, c2] = await t.rt.ctx.store.people.find({}).sort({ personId: 1 }).lean();
    expect(c2).toMatchObject({ configTimezone: 'Asia/Tokyo', platformTimezone: 'Europe/Lisbon' });
    // Cai's earlier clicks reported Europe/Berlin; the bogus name changed nothing.
    expect(c1?.platformTimezone).toBe('Europe/Berlin');
  });

  it('marks a delivery failed when the connector no longer knows the chat', async () => {
    // Eve's chat is unknown to the connector (the app was removed, say): it answers 404.
    await t.post(botAdded(eve, connector.url));
    const started = await sendPulseNow(t.rt.ctx, 'input-test');
    if (started.kind !== 'started') throw new Error(started.kind);
    expect(await deliver(t.rt.ctx, deliveryIdFor(started.pulseId, 'c3'))).toBe('failed');
    expect(await deliver(t.rt.ctx, deliveryIdFor(started.pulseId, 'c1'))).toBe('sent');
    expect(await deliver(t.rt.ctx, deliveryIdFor(started.pulseId, 'c2'))).toBe('unreachable');
    const failed = await t.rt.ctx.store.deliveries.findOne({ personId: 'c3' }).lean();
    expect(failed).toMatchObject({ state: 'failed', error: 'teams: connector answered 404' });
  });
});
