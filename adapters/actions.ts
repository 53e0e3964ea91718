import type { Context } from '../src/services/context.js';
import type { Requester } from '../src/services/requests.js';
import type { NoticeView } from './chat-port.js';

/** A click on a notice button, the same from every platform. */
export interface ActionClick {
  actor: Requester;
  action: string;
  value: string;
  /** Values of the notice's input fields by input id; absent fields are missing. */
  inputs: Record<string, string>;
}

/** What the clicked message becomes, and/or a short private reply to the clicker. */
export interface ActionReply {
  notice?: NoticeView;
  message?: string;
}

export type ActionHandler = (ctx: Context, click: ActionClick) => Promise<ActionReply>;

/**
 * Handlers of notice buttons by action name. Features add theirs with `registerAction` when
 * their module loads; the Slack and Teams adapters dispatch every notice click through here.
 */
const handlers = new Map<string, ActionHandler>();

export function registerAction(action: string, handler: ActionHandler): void {
  if (!/^[a-z0-9-]+$/.test(action)) throw new Error(`bad action name ${action}`);
  handlers.set(action, handler);
}

/** Runs the handler of a click; an unknown action gets a polite reply, not an error. */
export async function dispatchAction(ctx: Context, click: ActionClick): Promise<ActionReply> {
  const handler = handlers.get(click.action);
  if (!handler) return { message: 'That button no longer does anything. Sorry about that.' };
  return handler(ctx, click);
}
