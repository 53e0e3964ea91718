import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';

/** An RSA signing key with the key id a token header names. */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A fresh 2048-bit RSA key. */
export function signingKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey };
}

/**
 * A local stand-in for the Microsoft identity platform a bot talks to: an authority
 * `/{tenant}` whose OpenID configuration and signing keys (JWKS, at
 * `/{tenant}/discovery/v2.0/keys`) the Agents SDK fetches to check incoming tokens, and the
 * Entra auth sidecar endpoint (`/AuthorizationHeaderUnauthenticated/{service}`) it asks for
 * outgoing tokens. Only the keys in `trusted` are published.
 */
export class FakeEntra {
  readonly trusted: SigningKey[] = [signingKey('rapport-test-key')];
  readonly tokenRequests: string[] = [];
  readonly outboundToken = 'outbound-token-from-the-fake-sidecar';
  private server: Server | undefined;

  constructor(readonly tenant: string) {}

  get base(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  /** The authority to configure (`TEAMS_AUTHORITY`). */
  get authority(): string {
    return `${this.base}/${this.tenant}`;
  }

  /** The issuer of the tokens this authority signs (its v2.0 issuer). */
  get issuer(): string {
    return `${this.authority}/v2.0`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      const json = (body: unknown) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (path === `/${this.tenant}/discovery/v2.0/keys`) {
        json({ keys: this.trusted.map((k) => this.jwk(k)) });
      } else if (path === `/${this.tenant}/v2.0/.well-known/openid-configuration`) {
        json({
          issuer: this.issuer,
          jwks_uri: `${this.authority}/discovery/v2.0/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
        });
      } else if (path.startsWith('/AuthorizationHeaderUnauthenticated/')) {
        this.tokenRequests.push(req.url ?? '');
        json({ authorizationHeader: `Bearer ${this.outboundToken}` });
      } else if (path === '/healthz') {
        json({ status: 'healthy' });
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /**
   * A token as the channel service sends it with each activity: RS256, audience the bot's
   * app id, the service URL it may call back, valid for an hour. `key` signs it (default the
   * trusted key); `claims` override any field.
   */
  token(
    appId: string,
    serviceUrl: string,
    options: { key?: SigningKey; claims?: Record<string, unknown> } = {},
  ): string {
    const key = options.key ?? this.trusted[0]!;
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      iss: this.issuer,
      aud: appId,
      serviceurl: serviceUrl,
      nbf: now - 60,
      iat: now - 60,
      exp: now + 3600,
      ...options.claims,
    };
    return jwt.sign(payload, key.privateKey, { algorithm: 'RS256', keyid: key.kid });
  }

  private jwk(key: SigningKey) {
    return { ...key.publicKey.export({ format: 'jwk' }), kid: key.kid, use: 'sig', alg: 'RS256' };
  }
}
