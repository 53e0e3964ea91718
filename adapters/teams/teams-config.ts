import type { AuthConfiguration } from '@microsoft/agents-hosting';
import { EnvError, type Env } from '../../src/config/env.js';

/** The app id a proactive message names when no client id is configured (development only). */
export const DEV_APP_ID = 'rapport-dev';

/**
 * How Teams runs: `authenticated` checks every activity's Bot Framework token; `development`
 * accepts activities without one (never in production); `off` serves no Teams route.
 */
export type TeamsMode =
  | { kind: 'authenticated'; appId: string; auth: AuthConfiguration }
  | { kind: 'development'; appId: string; auth: AuthConfiguration }
  | { kind: 'off'; reason: string };

/** Raised when the Teams settings cannot be used; the message is one line naming the variable. */
export class TeamsConfigError extends EnvError {}

/**
 * Reads the Teams settings. With `TEAMS_CLIENT_ID`, tokens are checked (issuer validated) and
 * outgoing calls authenticate with `TEAMS_CLIENT_SECRET` through MSAL, or through the Entra
 * auth sidecar at `TEAMS_TOKEN_SIDECAR_URL`. Without it, Teams runs unauthenticated outside
 * production; in production it stays off, and half a configuration refuses to start.
 */
export function teamsMode(env: Env): TeamsMode {
  const authority = env.TEAMS_AUTHORITY;
  if (env.TEAMS_CLIENT_ID) {
    if (!env.TEAMS_CLIENT_SECRET && !env.TEAMS_TOKEN_SIDECAR_URL) {
      throw new TeamsConfigError(
        'TEAMS_CLIENT_SECRET: required when TEAMS_CLIENT_ID is set (or TEAMS_TOKEN_SIDECAR_URL)',
      );
    }
    const auth: AuthConfiguration = {
      clientId: env.TEAMS_CLIENT_ID,
      tenantId: env.TEAMS_TENANT_ID,
      validateIssuer: true,
      ...(authority ? { authority } : {}),
      ...(env.TEAMS_TOKEN_SIDECAR_URL
        ? { authType: 'EntraAuthSideCar', sidecarBaseUrl: env.TEAMS_TOKEN_SIDECAR_URL }
        : { clientSecret: env.TEAMS_CLIENT_SECRET }),
    };
    return { kind: 'authenticated', appId: env.TEAMS_CLIENT_ID, auth };
  }
  if (env.NODE_ENV === 'production') {
    if (env.TEAMS_CLIENT_SECRET || env.TEAMS_TENANT_ID || env.TEAMS_TOKEN_SIDECAR_URL) {
      throw new TeamsConfigError(
        'TEAMS_CLIENT_ID: required in production; unauthenticated Teams is for development only',
      );
    }
    return { kind: 'off', reason: 'set TEAMS_CLIENT_ID and TEAMS_CLIENT_SECRET to turn it on' };
  }
  return { kind: 'development', appId: DEV_APP_ID, auth: {} };
}
