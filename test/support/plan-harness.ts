import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { registerPlanActions } from '../../adapters/plan-actions.js';
import { createSlackApp } from '../../adapters/slack/slack-app.js';
import { createSlackClient, SlackChat } from '../../adapters/slack/slack-chat.js';
import { checkMilestones } from '../../src/services/milestone-check.js';
import { FakeSlack, type FakeMessage } from './fake-slack.js';
import { testRuntime, type TestRuntime } from './runtime.js';
import { blockActionsBody, signSlack, slashCommandBody } from './slack-requests.js';

const SECRET = 'plan-signing-secret';

/**
 * One engagement in Chicago. Owners of the action are stakeholders (c03, p03); the
 * governance leads (c02, p02) and relationship managers (c01, p01) are other people, so who
 * received what is unambiguous. Everyone is on Slack except p04, who is on Teams only.
 */
export const PLAN_YAML = `
engagements:
  - id: harbor
    name: Harbor x Meridian
    client: Harbor
    provider: Meridian
    timezone: America/Chicago
    cadence: { every: 1 week, on: tuesday, at: "09:30", startsOn: 2026-01-06 }
    people:
      - { id: c01, name: Cleo, side: client, roles: [relationship_manager],
          slack: { team: T1, user: U0C01 } }
      - { id: c02, name: Cass, side: client, roles: [governance_lead],
          slack: { team: T1, user: U0C02 } }
      - { id: c03, name: Cody, side: client, roles: [stakeholder],
          slack: { team: T1, user: U0C03 } }
      - { id: p01, name: Pia, side: provider, roles: [relationship_manager],
          slack: { team: T2, user: U0P01 }, timezone: Europe/London }
      - { id: p02, name: Pat, side: provider, roles: [governance_lead],
          slack: { team: T2, user: U0P02 }, timezone: Asia/Kolkata }
      - { id: p03, name: Priya, side: provider, roles: [stakeholder],
          slack: { team: T2, user: U0P03 } }
      - { id: p04, name: Paul, side: provider, roles: [stakeholder], teams: { tenant: t, user: u } }
    actions:
      - id: gov-board
        title: Monthly joint governance board
        dimension: governance
        owners: [c03, p03]
        milestones:
          - { id: terms, title: Agree terms of reference, due: 2026-02-10 }
`;

/** 09:00 in Chicago (UTC−6 in winter) on a February 2026 date. */
export function chicagoNine(date: string): Date {
  return new Date(`${date}T15:00:00Z`);
}

export interface Button {
  action_id: string;
  value: string;
}

/** The buttons of a fake Slack message, from its actions block. */
export function buttonsOf(message: FakeMessage): Button[] {
  const block = message.blocks.find((b) => (b as { type?: string }).type === 'actions') as
    { elements: Button[] } | undefined;
  return block?.elements ?? [];
}

/** The text of a fake Slack message's first section. */
export function textOf(message: FakeMessage): string {
  const section = message.blocks[0] as { text?: { text?: string } } | undefined;
  return section?.text?.text ?? message.text;
}

/**
 * A runtime with an injected clock, wired to a fake Slack, with the Slack app served
 * in-process so clicks and slash commands reach the same clock.
 */
export class PlanHarness {
  readonly slack = new FakeSlack();
  rt!: TestRuntime;
  private server: Server | undefined;

  async start(now = chicagoNine('2026-02-01')): Promise<this> {
    await this.slack.start();
    const chat = new SlackChat(
      createSlackClient({ token: this.slack.token, apiUrl: this.slack.url }),
    );
    this.rt = await testRuntime({ chat: { slack: chat }, now });
    await this.rt.importYaml(PLAN_YAML);
    registerPlanActions();
    const app = express();
    createSlackApp({
      signingSecret: SECRET,
      botToken: this.slack.token,
      expressApp: app,
      ctx: this.rt.ctx,
    });
    this.server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    await this.rt?.dispose();
    await this.slack.stop();
  }

  private get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/slack/events`;
  }

  /** Runs the daily check at 09:00 Chicago on `date`. */
  check(date: string) {
    this.rt.clock.now = chicagoNine(date);
    return checkMilestones(this.rt.ctx, 'harbor', this.rt.clock.now);
  }

  /** Messages posted to a Slack user, oldest first. */
  messagesTo(user: string): FakeMessage[] {
    return [...this.slack.messages.values()].filter((m) => m.user === user);
  }

  latestTo(user: string): FakeMessage {
    const all = this.messagesTo(user);
    const last = all.at(-1);
    if (!last) throw new Error(`no message to ${user}`);
    return last;
  }

  /** Clicks the button of `message` whose action is `action`, with input values. */
  async click(
    user: string,
    message: FakeMessage,
    action: string,
    inputs: Record<string, { value?: string; selected_date?: string }> = {},
  ): Promise<number> {
    const button = buttonsOf(message).find((b) => b.action_id.startsWith(`notice--${action}--`));
    if (!button) throw new Error(`no ${action} button on "${message.text}"`);
    const state = Object.fromEntries(
      Object.entries(inputs).map(([id, field]) => [
        `input--${id}`,
        { [id]: { type: field.selected_date ? 'datepicker' : 'plain_text_input', ...field } },
      ]),
    );
    const body = blockActionsBody({
      team: user.startsWith('U0C') ? 'T1' : 'T2',
      user,
      channel: message.channel,
      messageTs: message.ts,
      actionId: button.action_id,
      blockId: 'b',
      value: button.value,
      responseUrl: this.slack.responseUrl(`${user}-${action}`),
      state,
    });
    const signed = signSlack(SECRET, body);
    const res = await fetch(this.url, {
      method: 'POST',
      body: signed.body,
      headers: signed.headers,
    });
    return res.status;
  }

  /** Runs `/rapport TEXT` as `user`; returns the immediate reply. */
  async slash(user: string, text: string) {
    const team = user.startsWith('U0C') ? 'T1' : 'T2';
    const responseUrl = this.slack.responseUrl(`cmd-${user}`);
    const signed = signSlack(SECRET, slashCommandBody({ team, user, text, responseUrl }));
    const res = await fetch(this.url, {
      method: 'POST',
      body: signed.body,
      headers: signed.headers,
    });
    return (await res.json()) as { text: string; blocks?: { text: { text: string } }[] };
  }

  /** Private replies sent to a user's clicks on `action`, by text. */
  repliesTo(user: string, action: string): string[] {
    return this.slack.responses
      .filter((r) => r.id === `${user}-${action}`)
      .map((r) => String(r.body.text));
  }
}
