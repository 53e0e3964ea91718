import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

/** An activity the fake holds, as the Bot Connector would after a post and its updates. */
export interface ConnectorActivity {
  id: string;
  conversationId: string;
  body: Json;
  updates: number;
}

/** One call the fake received. */
export interface ConnectorCall {
  method: string;
  path: string;
  authorization: string | null;
  body: Json;
}

/**
 * A local stand-in for the Teams Bot Connector at an activity's `serviceUrl`. It answers the
 * REST calls Rapport makes as the connector does: `POST /v3/conversations/{id}/activities`
 * returns `{ id }`, so does a reply `POST …/activities/{replyToId}`,
 * `PUT /v3/conversations/{id}/activities/{activityId}` replaces the
 * activity, and `POST /v3/conversations` creates a 1:1 conversation. An unknown conversation
 * or activity gets 404 with the connector's error envelope.
 */
export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  readonly activities = new Map<string, ConnectorActivity>();
  /** Conversations that exist, by id; tests add the personal chats Teams would have. */
  readonly conversations = new Set<string>();
  private server: Server | undefined;
  private seq = 1;

  /** The service URL activities carry, ending in `/` as Teams sends it. */
  get url(): string {
    const port = (this.server?.address() as AddressInfo).port;
    return `http://127.0.0.1:${port}/teams/`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => res.writeHead(500).end(String(err)));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Activities posted to a conversation, oldest first. */
  activitiesIn(conversationId: string): ConnectorActivity[] {
    return [...this.activities.values()].filter((a) => a.conversationId === conversationId);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const body = raw ? (JSON.parse(raw) as Json) : {};
    const path = decodeURIComponent((req.url ?? '').split('?')[0] ?? '').replace(/^\/teams/, '');
    const method = req.method ?? 'GET';
    this.calls.push({ method, path, authorization: req.headers.authorization ?? null, body });
    const send = (status: number, reply: Json): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    };
    const notFound = (what: string): void =>
      send(404, { error: { code: 'ConversationNotFound', message: `${what} not found` } });

    const post = /^\/v3\/conversations\/([^/]+)\/activities\/?$/.exec(path);
    const one = /^\/v3\/conversations\/([^/]+)\/activities\/([^/]+)$/.exec(path);
    if (method === 'POST' && path.replace(/\/$/, '') === '/v3/conversations') {
      const id = `a:1created${this.seq++}`;
      this.conversations.add(id);
      send(201, { id, activityId: '', serviceUrl: this.url });
    } else if (method === 'POST' && post?.[1]) {
      const conversationId = post[1];
      if (!this.conversations.has(conversationId)) return notFound('conversation');
      const id = `1${String(this.seq++).padStart(12, '0')}`;
      this.activities.set(id, { id, conversationId, body, updates: 0 });
      send(201, { id });
    } else if (method === 'POST' && one?.[1] && one[2]) {
      // A reply (the SDK sends proactive messages this way too): as in a Teams personal chat,
      // it is posted in the conversation whether or not the replied-to activity is known.
      if (!this.conversations.has(one[1])) return notFound('conversation');
      const id = `1${String(this.seq++).padStart(12, '0')}`;
      this.activities.set(id, { id, conversationId: one[1], body, updates: 0 });
      send(201, { id });
    } else if (method === 'PUT' && one?.[1] && one[2]) {
      const activity = this.activities.get(one[2]);
      if (!activity || activity.conversationId !== one[1]) return notFound('activity');
      activity.body = body;
      activity.updates += 1;
      send(200, { id: activity.id });
    } else {
      send(404, { error: { code: 'BadSyntax', message: `no route ${method} ${path}` } });
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
