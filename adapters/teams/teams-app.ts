import { CloudAdapter, type Request as AgentsRequest } from '@microsoft/agents-hosting';
import express, { type Application, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Context } from '../../src/services/context.js';
import { TeamsChat } from './teams-chat.js';
import type { TeamsMode } from './teams-config.js';
import { handleTeamsTurn } from './teams-turn.js';

/**
 * What of an error reaches the log. The SDK's HTTP errors carry the request they failed on,
 * activity text and headers included, so only the name, message and status are kept.
 */
export function errorSummary(err: unknown): { name: string; message: string; status?: number } {
  const e = err as { name?: unknown; message?: unknown; status?: unknown };
  return {
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: typeof e.message === 'string' ? e.message.slice(0, 300) : String(err),
    ...(typeof e.status === 'number' ? { status: e.status } : {}),
  };
}

/** The adapter and chat port of a Teams mode that is on. */
export interface Teams {
  adapter: CloudAdapter;
  chat: TeamsChat;
}

/** Builds the Agents SDK adapter and the chat port for a mode that is not `off`. */
export function createTeams(mode: Exclude<TeamsMode, { kind: 'off' }>, log: Logger): Teams {
  const adapter = new CloudAdapter(mode.auth);
  adapter.onTurnError = (_context, error) => {
    log.error({ err: errorSummary(error), platform: 'teams' }, 'teams turn failed');
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  };
  return { adapter, chat: new TeamsChat(adapter, mode.appId) };
}

/**
 * Serves `POST /api/messages`: the Bot Framework token is checked first (a request without a
 * valid one gets 401 and reaches nothing), then the activity is handled in the request, so an
 * invoke's response goes back in the HTTP body.
 */
export function mountTeams(app: Application, teams: Teams, ctx: Context): void {
  const log = ctx.log.child({ platform: 'teams' });
  const authorize = (req: Request, res: Response, next: NextFunction) => {
    teams.adapter.authorizeRequest(req as unknown as AgentsRequest, res as never, next).catch(next);
  };
  app.post(
    '/api/messages',
    express.json({ limit: '256kb' }),
    authorize,
    (req: Request, res: Response) => {
      if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) {
        res.status(400).json({ error: 'the body must be a JSON activity' });
        return;
      }
      teams.adapter
        .process(req as unknown as AgentsRequest, res as never, (context) =>
          handleTeamsTurn(ctx, teams.chat, context),
        )
        .catch((err: unknown) => {
          log.error({ err: errorSummary(err) }, 'teams activity failed');
          // A failure here is Rapport's or the connector's, never the caller's: Teams retries.
          if (!res.headersSent)
            res.status(500).json({ error: 'the activity could not be handled' });
        });
    },
  );
}
