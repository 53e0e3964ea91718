import { z } from 'zod';

/** A signed Slack request whose body is not one Rapport understands. */
export class MalformedSlackRequest extends Error {
  readonly code = 'SLACK_MALFORMED';
}

const slashCommand = z.object({
  command: z.literal('/rapport'),
  team_id: z.string().min(1),
  user_id: z.string().min(1),
  text: z.string().optional(),
});

const blockActions = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string().min(1) }),
  actions: z.array(z.object({ action_id: z.string(), type: z.string() })).min(1),
});

/** Payload types Slack may send that Rapport acknowledges, handled or deliberately ignored. */
const otherKnown = z.object({
  type: z.enum([
    'event_callback',
    'view_submission',
    'view_closed',
    'shortcut',
    'message_action',
    'app_rate_limited',
  ]),
});

/**
 * Checks the shape of a verified, parsed Slack body before Bolt routes it, so a malformed one
 * gets 400 at once instead of an error or a timeout.
 */
export function checkSlackBody(body: unknown): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new MalformedSlackRequest('body is not an object');
  }
  const shaped = 'command' in body ? slashCommand : 'type' in body ? undefined : null;
  if (shaped === null) throw new MalformedSlackRequest('neither a command nor a typed payload');
  const schema =
    shaped ?? ((body as { type: unknown }).type === 'block_actions' ? blockActions : otherKnown);
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new MalformedSlackRequest(`${issue?.path.join('.') || 'body'}: ${issue?.message ?? ''}`);
  }
}
