import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeConnector } from '../support/fake-connector.js';
import {
  BOT,
  botAddedToTeam,
  memberJoinedTeam,
  teamsUser,
  typed,
} from '../support/teams-activities.js';
import { teamsInProcess, type TeamsInProcess } from '../support/teams-in-process.js';

const TENANT = '7b000000-0000-4000-8000-0000000000bb';
const installer = teamsUser(TENANT, '7b000000-0000-4000-8000-0000000000b1', 'Ines');
const joiner = teamsUser(TENANT, '7b000000-0000-4000-8000-0000000000b2', 'Jon');
const outsider = teamsUser(TENANT, '7b000000-0000-4000-8000-0000000000b9', 'Olga');

const YAML = `
engagements:
  - id: team-install
    name: Team install
    client: Client Co
    provider: Provider Co
    timezone: Europe/Berlin
    cadence: { every: 1 week, on: monday, at: "09:00", startsOn: 2026-01-05 }
    people:
      - { id: b1, side: client, roles: [stakeholder],
          teams: { tenant: ${TENANT}, user: ${installer.aadObjectId} } }
      - { id: b2, side: client, roles: [stakeholder],
          teams: { tenant: ${TENANT}, user: ${joiner.aadObjectId} } }
`;

describe('installing Rapport in a team', () => {
  const connector = new FakeConnector();
  let t: TeamsInProcess;

  const references = async () => {
    const people = await t.rt.ctx.store.people.find({}).sort({ personId: 1 }).lean();
    return people.map((p) => p.teamsReference as { conversation: { id: string } } | null);
  };

  beforeAll(async () => {
    await connector.start();
    t = await teamsInProcess(YAML);
  });

  afterAll(async () => {
    await t?.close();
    await connector.stop();
  });

  it('opens a 1:1 chat with the configured person who installed it', async () => {
    expect((await t.post(botAddedToTeam(installer, connector.url))).status).toBe(200);
    const created = connector.calls.filter((c) => c.path === '/v3/conversations');
    expect(created).toHaveLength(1);
    expect(created[0]!.body).toMatchObject({
      isGroup: false,
      bot: { id: BOT.id },
      members: [{ id: installer.id }],
      tenantId: TENANT,
      channelData: { tenant: { id: TENANT } },
    });
    const [b1, b2] = await references();
    expect(b1?.conversation.id).toMatch(/^a:1created/);
    expect(b2 ?? null).toBeNull();
  });

  it('opens one for a configured person joining the team later, none for others', async () => {
    await t.post(memberJoinedTeam(installer, joiner, connector.url));
    await t.post(memberJoinedTeam(installer, outsider, connector.url));
    expect(connector.calls.filter((c) => c.path === '/v3/conversations')).toHaveLength(2);
    const [, b2] = await references();
    expect(b2?.conversation.id).toMatch(/^a:1created/);
  });

  it('does not open a second chat for someone already reachable', async () => {
    await t.post(memberJoinedTeam(installer, joiner, connector.url));
    expect(connector.calls.filter((c) => c.path === '/v3/conversations')).toHaveLength(2);
  });

  it('does not answer "scores" typed in a team channel with scores', async () => {
    const inChannel = {
      ...typed(installer, connector.url, 'scores'),
      conversation: { isGroup: true, conversationType: 'channel', tenantId: TENANT, id: 'x' },
    };
    connector.conversations.add('x');
    expect((await t.post(inChannel)).status).toBe(200);
    const reply = connector.activitiesIn('x').at(-1)?.body;
    expect(reply?.text).toMatch(/Say "scores"/);
  });
});
