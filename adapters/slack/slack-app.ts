import { CLOSED_TEXT, NOT_YOURS_TEXT } from '../replies.js';
import { App, ExpressReceiver, LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Application, NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { recordClick } from '../../src/services/answers.js';
import type { Context } from '../../src/services/context.js';
import { dispatchAction } from '../actions.js';
import { decodeAnswer } from '../answer-value.js';
import { noticeAction, noticeInputs } from './render-notice.js';
import { checkSlackBody, MalformedSlackRequest } from './request-shape.js';
import { handleSlashCommand } from './slash-command.js';

export interface SlackAppOptions {
  signingSecret: string;
  botToken: string;
  /** The express app the receiver mounts `POST /slack/events` on. */
  expressApp: Application;
  ctx: Context;
}

/** Bolt's logger interface over pino. */
function boltLogger(log: Logger): BoltLogger {
  return {
    debug: (...m: unknown[]) => log.debug(m.map(String).join(' ')),
    info: (...m: unknown[]) => log.info(m.map(String).join(' ')),
    warn: (...m: unknown[]) => log.warn(m.map(String).join(' ')),
    error: (...m: unknown[]) => log.error(m.map(String).join(' ')),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}

/**
 * Bolt in HTTP mode on `POST /slack/events`: answer clicks and the `/rapport` command.
 * A click is stored before it is acknowledged, so an answer Slack shows as sent is never lost.
 */
export function createSlackApp(options: SlackAppOptions): App {
  const log = options.ctx.log.child({ platform: 'slack' });
  const logger = boltLogger(log);
  const receiver = new ExpressReceiver({
    signingSecret: options.signingSecret,
    app: options.expressApp,
    endpoints: '/slack/events',
    logger,
    // Runs on the verified, parsed body before Bolt routes it; a throw becomes a 400 below.
    customPropertiesExtractor: (req) => {
      checkSlackBody(req.body);
      return {};
    },
    // A payload no listener acknowledges (an event Rapport ignores) still gets a 200.
    unhandledRequestHandler: ({ response }) => {
      if (!response.headersSent) response.writeHead(200).end();
    },
  });
  options.expressApp.use(
    '/slack/events',
    (err: unknown, _req: Request, res: Response, next: NextFunction) => {
      if (!(err instanceof MalformedSlackRequest)) {
        next(err);
        return;
      }
      log.warn({ reason: err.message }, 'malformed slack request');
      res.status(400).json({ ok: false, error: err.message });
    },
  );
  const app = new App({
    receiver,
    logger,
    authorize: () => Promise.resolve({ botToken: options.botToken }),
  });

  app.action(/^answer-/, async ({ ack, body, action, respond }) => {
    const value = action.type === 'button' ? decodeAnswer(action.value) : null;
    if (!value) {
      await ack();
      return;
    }
    const team = body.user.team_id ?? body.team?.id ?? '';
    const result = await recordClick(options.ctx, {
      ...value,
      identity: { platform: 'slack', team, user: body.user.id },
    });
    await ack();
    if (result.kind === 'closed') {
      await respond({ response_type: 'ephemeral', replace_original: false, text: CLOSED_TEXT });
    } else if (result.kind === 'not-yours' || result.kind === 'unknown-delivery') {
      await respond({ response_type: 'ephemeral', replace_original: false, text: NOT_YOURS_TEXT });
    }
  });

  app.action(/^notice--/, async ({ ack, body, action, respond }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button') return;
    const name = noticeAction((action as { action_id: string }).action_id);
    if (!name) return;
    const team = body.user.team_id ?? body.team?.id ?? '';
    const reply = await dispatchAction(options.ctx, {
      actor: { platform: 'slack', team, user: body.user.id },
      action: name,
      value: action.value ?? '',
      inputs: noticeInputs(body.state?.values),
    });
    const container = body.container as { channel_id?: string; message_ts?: string };
    const slack = options.ctx.chat.slack;
    if (reply.notice && slack && container.channel_id && container.message_ts) {
      const ref = { platform: 'slack' as const, channel: container.channel_id };
      await slack.updateNotice({ ...ref, ts: container.message_ts }, reply.notice);
    }
    if (reply.message) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: reply.message });
    }
  });

  app.command('/rapport', async ({ ack, command }) => {
    const reply = await handleSlashCommand(options.ctx, command);
    await ack(reply);
  });

  app.error(async (err) => {
    log.error({ err }, 'slack handler failed');
    return Promise.resolve();
  });
  return app;
}
