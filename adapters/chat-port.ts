import type { Scale, Side } from '../src/domain/dimension.js';

export type Platform = 'slack' | 'teams';

/** Where a person is reached: a Slack user in a workspace, or a Teams user in a tenant. */
export type ChatAddress =
  | { platform: 'slack'; team: string; user: string }
  | { platform: 'teams'; tenant: string; user: string; reference: unknown };

/** A sent message, kept so it can be updated after a click. */
export type MessageRef =
  | { platform: 'slack'; channel: string; ts: string }
  | { platform: 'teams'; activityId: string; reference: unknown };

export interface PulseQuestionView {
  id: string;
  text: string;
  scale: Scale;
  /** The score this person chose, if they answered. */
  chosen: number | null;
}

/** Everything a renderer needs to draw one person's pulse message. */
export interface PulseView {
  deliveryId: string;
  engagementName: string;
  side: Side;
  questions: PulseQuestionView[];
  /** `open`: answerable; `closed`: the pulse has closed. */
  status: 'open' | 'closed';
  closesAt: Date;
}

/** A free-text or date field on a notice, read when one of its buttons is clicked. */
export interface NoticeInput {
  id: string;
  label: string;
  kind: 'text' | 'date';
}

/** A button on a notice; a click reaches the action handler registered for `action`. */
export interface NoticeButton {
  /** Registered action name, letters, digits and `-` (see adapters/actions.ts). */
  action: string;
  label: string;
  /** Opaque to the platform; handed back to the handler. At most 1,000 characters. */
  value: string;
  style?: 'primary' | 'danger';
}

/**
 * A message that is not a pulse: a reminder, nudge, escalation, digest or alert, with
 * optional one-click buttons and input fields. Every platform renders it from this alone.
 */
export interface NoticeView {
  title: string;
  lines: string[];
  inputs?: NoticeInput[];
  buttons?: NoticeButton[];
}

/** A platform failure that retrying will not mend (bad token, unknown user). */
export class PermanentChatError extends Error {
  readonly code = 'CHAT_PERMANENT';
}

/** The platform refused the call for now; nothing was done, so it may be tried again later. */
export class RateLimitedChatError extends Error {
  readonly code = 'CHAT_RATE_LIMITED';

  constructor(
    /** Seconds the platform asked to wait (Retry-After). */
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(`rate limited; retry after ${retryAfterSeconds} s`, options);
  }
}

/** What the services need from a chat platform. Adapters implement it. */
export interface ChatPort {
  readonly platform: Platform;
  /** Opens the DM when needed and posts the pulse; returns the message to update later. */
  sendPulse(to: ChatAddress, pulse: PulseView): Promise<MessageRef>;
  /** Redraws a sent pulse message in place. */
  updatePulse(ref: MessageRef, pulse: PulseView): Promise<void>;
  /** Opens the DM when needed and posts a notice. */
  sendNotice(to: ChatAddress, notice: NoticeView): Promise<MessageRef>;
  /** Redraws a sent notice in place (after a click, say). */
  updateNotice(ref: MessageRef, notice: NoticeView): Promise<void>;
  /**
   * The pulse message of `deliveryId` already posted to this person, if the platform can
   * tell; asked before posting again after an attempt whose outcome is unknown.
   */
  findPulse?(to: ChatAddress, deliveryId: string): Promise<MessageRef | null>;
  /**
   * Milliseconds within which sendPulse surely ends, success or failure; a claim to send is
   * held this long. Default 60,000.
   */
  readonly sendLeaseMs?: number;
  /** The IANA time zone the platform holds for this person, or null if it has none. */
  userTimezone?(to: ChatAddress): Promise<string | null>;
}

/** The chat ports that are on, by platform. A platform without credentials is absent. */
export type ChatPorts = Partial<Record<Platform, ChatPort>>;
