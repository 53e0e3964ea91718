import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../src/config/env.js';
import { openStore, type Store } from '../../src/store/store.js';
import { FakeConnector } from '../support/fake-connector.js';
import { FakeEntra, signingKey } from '../support/fake-entra.js';
import { runCli, startBotProcess, type BotProcess } from '../support/processes.js';
import { botAdded, teamsUser, typed } from '../support/teams-activities.js';
import { isolatedEnv } from '../support/test-env.js';
import { waitFor } from '../support/wait.js';

const CONFIG = fileURLToPath(new URL('../fixtures/engagement.example.yaml', import.meta.url));
const TENANT = '6f1c2d3e-0000-4000-8000-00000000c0de';
const APP_ID = '00000000-0000-4000-8000-00000000b07a';
const lc1 = teamsUser(TENANT, '1a2b3c4d-0000-4000-8000-0000000000c1', 'Lena Client');

describe('Teams with TEAMS_CLIENT_ID set', () => {
  const entra = new FakeEntra(TENANT);
  const connector = new FakeConnector();
  let env: Env;
  let bot: BotProcess;
  let store: Store;

  async function post(body: unknown, token?: string) {
    return fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    });
  }

  const kept = () => store.people.countDocuments({ teamsReference: { $ne: null } });

  beforeAll(async () => {
    await Promise.all([entra.start(), connector.start()]);
    connector.conversations.add(lc1.conversationId);
    env = isolatedEnv();
    bot = await startBotProcess(env, {
      RAPPORT_CONFIG: CONFIG,
      TEAMS_CLIENT_ID: APP_ID,
      TEAMS_TENANT_ID: TENANT,
      TEAMS_AUTHORITY: entra.authority,
      TEAMS_TOKEN_SIDECAR_URL: entra.base,
    });
    store = await openStore(env.MONGODB_URI);
  });

  afterAll(async () => {
    await bot?.stop();
    await store?.connection.dropDatabase();
    await store?.connection.close();
    await Promise.all([entra.stop(), connector.stop()]);
  });

  it('refuses an activity without a token with 401 and stores nothing', async () => {
    expect((await post(botAdded(lc1, connector.url))).status).toBe(401);
    expect((await post(botAdded(lc1, connector.url), '')).status).toBe(401);
    expect(await kept()).toBe(0);
  });

  it('refuses a token signed by a key it does not trust (same key id) with 401', async () => {
    const forger = signingKey(entra.trusted[0]!.kid);
    const forged = entra.token(APP_ID, connector.url, { key: forger });
    expect((await post(botAdded(lc1, connector.url), forged)).status).toBe(401);
    expect(await kept()).toBe(0);
  });

  it('refuses a trusted key’s token for another bot, from another issuer or expired', async () => {
    const now = Math.floor(Date.now() / 1000);
    const tokens = [
      entra.token('another-bot', connector.url),
      entra.token(APP_ID, connector.url, { claims: { iss: 'https://issuer.invalid/v2.0' } }),
      entra.token(APP_ID, connector.url, { claims: { exp: now - 3600, iat: now - 7200 } }),
    ];
    for (const token of tokens) {
      expect((await post(botAdded(lc1, connector.url), token)).status).toBe(401);
    }
    expect(await kept()).toBe(0);
  });

  it('accepts a valid token: the install is kept', async () => {
    const res = await post(botAdded(lc1, connector.url), entra.token(APP_ID, connector.url));
    expect(res.status).toBe(200);
    expect(await kept()).toBe(1);
  });

  it('replies through the connector with a token from the configured token service', async () => {
    const token = entra.token(APP_ID, connector.url);
    expect((await post(typed(lc1, connector.url, 'scores'), token)).status).toBe(200);
    await waitFor(() => expect(connector.activitiesIn(lc1.conversationId)).toHaveLength(1));
    const reply = connector.calls.find((c) => c.method === 'POST');
    expect(reply?.authorization).toBe(`Bearer ${entra.outboundToken}`);
    expect(entra.tokenRequests.length).toBeGreaterThan(0);
  });
});

describe('Teams settings at start', () => {
  it('refuses to start in production with a Teams secret but no client id', async () => {
    const env = isolatedEnv();
    const out = await runCli(env, ['start'], {
      NODE_ENV: 'production',
      TEAMS_CLIENT_SECRET: 'a-secret',
    });
    expect(out.code).toBe(1);
    const lines = out.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      'rapport: TEAMS_CLIENT_ID: required in production; ' +
        'unauthenticated Teams is for development only',
    );
  });

  it('refuses to start with a client id but no way to get outgoing tokens', async () => {
    const out = await runCli(isolatedEnv(), ['start'], { TEAMS_CLIENT_ID: APP_ID });
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^rapport: TEAMS_CLIENT_SECRET: required when TEAMS_CLIENT_ID/);
  });
});
