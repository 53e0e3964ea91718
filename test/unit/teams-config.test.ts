import { describe, expect, it } from 'vitest';
import { teamsMode } from '../../adapters/teams/teams-config.js';
import { loadEnv } from '../../src/config/env.js';

const ID = '00000000-0000-4000-8000-00000000b07a';

function mode(vars: Record<string, string>) {
  return teamsMode(loadEnv(vars));
}

describe('the Teams mode', () => {
  it('is authenticated with a client id and secret, checking the issuer', () => {
    const m = mode({ TEAMS_CLIENT_ID: ID, TEAMS_CLIENT_SECRET: 's', TEAMS_TENANT_ID: 't' });
    expect(m).toMatchObject({
      kind: 'authenticated',
      appId: ID,
      auth: { clientId: ID, clientSecret: 's', tenantId: 't', validateIssuer: true },
    });
  });

  it('takes outgoing tokens from the sidecar when its URL is set', () => {
    const m = mode({ TEAMS_CLIENT_ID: ID, TEAMS_TOKEN_SIDECAR_URL: 'http://127.0.0.1:5178' });
    expect(m).toMatchObject({
      kind: 'authenticated',
      auth: { authType: 'EntraAuthSideCar', sidecarBaseUrl: 'http://127.0.0.1:5178' },
    });
  });

  it('runs unauthenticated without a client id outside production', () => {
    expect(mode({ NODE_ENV: 'development' }).kind).toBe('development');
    expect(mode({ NODE_ENV: 'test' }).kind).toBe('development');
  });

  it('is off in production without any Teams setting, and says how to turn it on', () => {
    expect(mode({ NODE_ENV: 'production' })).toEqual({
      kind: 'off',
      reason: 'set TEAMS_CLIENT_ID and TEAMS_CLIENT_SECRET to turn it on',
    });
  });

  it('refuses half a configuration in production, naming the missing variable', () => {
    expect(() => mode({ NODE_ENV: 'production', TEAMS_TENANT_ID: 't' })).toThrow(
      /^TEAMS_CLIENT_ID: required in production/,
    );
  });

  it('refuses a client id with no way to get outgoing tokens', () => {
    expect(() => mode({ TEAMS_CLIENT_ID: ID })).toThrow(/^TEAMS_CLIENT_SECRET: required/);
  });
});
