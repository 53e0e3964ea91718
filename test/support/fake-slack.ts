import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One Web API call as the fake received it, with its arguments decoded. */
export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  token: string | null;
  at: number;
}

/** A message the fake holds, as Slack would after chat.postMessage and chat.update. */
export interface FakeMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  user: string;
  updates: number;
  /** Message metadata as posted (`event_type`, `event_payload`), if any. */
  metadata: Json | null;
}

/** How the fake misbehaves for the next calls of a method, to test retries. */
export interface Trouble {
  /** Answer 429 with this Retry-After (seconds), `times` times. */
  rateLimitSeconds?: number;
  /** Answer HTTP 500, `times` times. */
  serverError?: boolean;
  /**
   * Wait this long before answering, then answer as usual (so a post the client gave up on
   * still lands). Every time while set, or `times` times when only a delay is set.
   */
  delayMs?: number;
  times?: number;
}

type Json = Record<string, unknown>;

/** Form-encoded arguments are strings; JSON ones may be anything. */
function str(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
}

/**
 * A local stand-in for the Slack Web API that answers as Slack does: `POST /api/METHOD` with
 * a form-encoded or JSON body and a bearer token, `{ ok, error }` envelopes, `D…` channel ids
 * for DMs, `1700000000.000100`-style message ts, `invalid_auth` for a wrong token. It also
 * takes `response_url` posts at `/respond/ID`.
 */
export class FakeSlack {
  readonly calls: SlackCall[] = [];
  readonly messages = new Map<string, FakeMessage>();
  readonly responses: { id: string; body: Json }[] = [];
  readonly trouble = new Map<string, Trouble>();
  readonly users = new Map<string, { tz: string }>();
  private server: Server | undefined;
  private seq = 100;

  constructor(readonly token = 'xoxb-test-token') {}

  get url(): string {
    const port = (this.server?.address() as AddressInfo).port;
    return `http://127.0.0.1:${port}/api/`;
  }

  responseUrl(id: string): string {
    return this.url.replace(/api\/$/, `respond/${id}`);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.writeHead(500).end(String(err));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** The messages posted to one channel, oldest first. */
  messagesIn(channel: string): FakeMessage[] {
    return [...this.messages.values()].filter((m) => m.channel === channel);
  }

  callsOf(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = req.url ?? '';
    if (path.startsWith('/respond/')) {
      this.responses.push({ id: path.slice('/respond/'.length), body: JSON.parse(body) as Json });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    const method = path.replace(/^\/api\//, '').split('?')[0] ?? '';
    const args = decodeArgs(body, req.headers['content-type'] ?? '');
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : ((args.token as string) ?? null);
    this.calls.push({ method, args, token, at: Date.now() });
    const trouble = this.trouble.get(method);
    const failing = trouble && (trouble.rateLimitSeconds !== undefined || trouble.serverError);
    if (trouble?.delayMs && (failing || (trouble.times ?? 1) > 0)) {
      if (!failing && trouble.times !== undefined) trouble.times -= 1;
      await new Promise((r) => setTimeout(r, trouble.delayMs));
    }
    if (trouble && failing) {
      if ((trouble.times ?? 1) > 0) {
        trouble.times = (trouble.times ?? 1) - 1;
        if (trouble.serverError) {
          res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
        } else {
          res.writeHead(429, { 'retry-after': String(trouble.rateLimitSeconds) });
          res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        }
        return;
      }
    }
    const reply =
      token === this.token ? this.answer(method, args) : { ok: false, error: 'invalid_auth' };
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(reply));
  }

  private answer(method: string, args: Json): Json {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://fake.slack.test/',
          team: 'Fake',
          user: 'rapport',
          team_id: 'T0FAKE',
          user_id: 'U0BOT',
          bot_id: 'B0BOT',
        };
      case 'conversations.open': {
        const users = str(args.users);
        if (!users) return { ok: false, error: 'users_not_found' };
        return { ok: true, channel: { id: `D${users.replace(/^U/, '')}` } };
      }
      case 'chat.postMessage': {
        const channel = str(args.channel);
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const ts = `1700000000.${String(this.seq++).padStart(6, '0')}`;
        const message: FakeMessage = {
          channel,
          ts,
          text: str(args.text),
          blocks: parseBlocks(args.blocks),
          user: `U${channel.slice(1)}`,
          updates: 0,
          metadata: parseObject(args.metadata),
        };
        this.messages.set(`${channel}/${ts}`, message);
        return { ok: true, channel, ts, message: { type: 'message', text: message.text, ts } };
      }
      case 'chat.update': {
        const key = `${str(args.channel)}/${str(args.ts)}`;
        const message = this.messages.get(key);
        if (!message) return { ok: false, error: 'message_not_found' };
        message.text = args.text === undefined ? message.text : str(args.text);
        message.blocks = parseBlocks(args.blocks);
        message.updates += 1;
        return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
      }
      case 'conversations.history': {
        const channel = str(args.channel);
        const withMetadata =
          args.include_all_metadata === true || args.include_all_metadata === 'true';
        const limit = Number(args.limit ?? 100);
        const messages = [...this.messages.values()]
          .filter((m) => m.channel === channel)
          .sort((a, b) => b.ts.localeCompare(a.ts))
          .slice(0, limit)
          .map((m) => ({
            type: 'message',
            user: 'U0BOT',
            bot_id: 'B0BOT',
            app_id: 'A0RAPPORT',
            text: m.text,
            ts: m.ts,
            blocks: m.blocks,
            ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
          }));
        return { ok: true, messages, has_more: false, pin_count: 0 };
      }
      case 'users.info': {
        const user = str(args.user);
        const tz = this.users.get(user)?.tz;
        if (!tz) return { ok: false, error: 'user_not_found' };
        return { ok: true, user: { id: user, tz, tz_offset: 0 } };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function decodeArgs(body: string, contentType: string): Json {
  if (contentType.includes('application/json')) return body ? (JSON.parse(body) as Json) : {};
  return Object.fromEntries(new URLSearchParams(body));
}

function parseObject(raw: unknown): Json | null {
  if (typeof raw === 'string' && raw) return JSON.parse(raw) as Json;
  return raw && typeof raw === 'object' ? (raw as Json) : null;
}

function parseBlocks(raw: unknown): unknown[] {
  if (Array.isArray(raw)) return raw;
  if (typeof raw === 'string' && raw) return JSON.parse(raw) as unknown[];
  return [];
}
