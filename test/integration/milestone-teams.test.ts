import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerPlanActions } from '../../adapters/plan-actions.js';
import { checkMilestones } from '../../src/services/milestone-check.js';
import { FakeConnector, type ConnectorActivity } from '../support/fake-connector.js';
import { botAdded, cardAction, teamsUser, type TeamsUser } from '../support/teams-activities.js';
import { teamsInProcess, type TeamsInProcess } from '../support/teams-in-process.js';

const CLIENT = '7b000000-0000-4000-8000-0000000000c0';
const PROVIDER = '7b000000-0000-4000-8000-0000000000d0';
const owner = teamsUser(CLIENT, '7b000000-0000-4000-8000-0000000000c3', 'Cody');
const otherOwner = teamsUser(PROVIDER, '7b000000-0000-4000-8000-0000000000d3', 'Priya');
const clientLead = teamsUser(CLIENT, '7b000000-0000-4000-8000-0000000000c2', 'Cass');
const providerLead = teamsUser(PROVIDER, '7b000000-0000-4000-8000-0000000000d2', 'Pat');
const EVERYONE = [owner, otherOwner, clientLead, providerLead];

/** Owners (c03, p03) and governance leads (c02, p02) are all on Teams, one tenant per side. */
const YAML = `
engagements:
  - id: quay
    name: Quay x Lantern
    client: Quay
    provider: Lantern
    timezone: Europe/Berlin
    cadence: { every: 1 week, on: tuesday, at: "09:30", startsOn: 2026-01-06 }
    people:
      - { id: c02, name: Cass, side: client, roles: [governance_lead],
          teams: { tenant: ${CLIENT}, user: ${clientLead.aadObjectId} } }
      - { id: c03, name: Cody, side: client, roles: [stakeholder],
          teams: { tenant: ${CLIENT}, user: ${owner.aadObjectId} } }
      - { id: p02, name: Pat, side: provider, roles: [governance_lead],
          teams: { tenant: ${PROVIDER}, user: ${providerLead.aadObjectId} } }
      - { id: p03, name: Priya, side: provider, roles: [stakeholder],
          teams: { tenant: ${PROVIDER}, user: ${otherOwner.aadObjectId} } }
    actions:
      - id: gov-board
        title: Monthly joint governance board
        dimension: governance
        owners: [c03, p03]
        milestones:
          - { id: terms, title: Agree terms of reference, due: 2026-02-10 }
`;

const MILESTONE = 'quay--terms';

interface CardBlock {
  type: string;
  id?: string;
  text?: string;
}
interface CardAction {
  type: string;
  title: string;
  verb: string;
  data: { action: string; value: string };
}
interface Card {
  body: CardBlock[];
  actions?: CardAction[];
}

function cardOf(activity: ConnectorActivity): Card {
  return (activity.body.attachments as { content: Card }[])[0]!.content;
}

function textOfCard(card: Card): string {
  return card.body.map((b) => b.text ?? '').join('\n');
}

describe('chasing a milestone due 2026-02-10 through Teams', () => {
  const connector = new FakeConnector();
  let t: TeamsInProcess;

  /** Cards the bot posted into a user's personal chat, oldest first. */
  const cardsTo = (user: TeamsUser) => connector.activitiesIn(user.conversationId).map(cardOf);
  const sentCount = () => EVERYONE.reduce((n, u) => n + cardsTo(u).length, 0);

  /** Runs the daily check at 09:00 in Berlin (08:00 UTC in winter) on `date`. */
  function check(date: string) {
    t.rt.clock.now = new Date(`${date}T08:00:00Z`);
    return checkMilestones(t.rt.ctx, 'quay', t.rt.clock.now);
  }

  /** Clicks the button of `card` for `action` as Teams would, with input values. */
  async function click(
    user: TeamsUser,
    activity: ConnectorActivity,
    action: string,
    inputs: Record<string, string> = {},
  ) {
    const button = cardOf(activity).actions?.find((a) => a.data.action === action);
    if (!button) throw new Error(`no ${action} button on the card`);
    const data: Record<string, string> = { ...button.data };
    for (const [id, value] of Object.entries(inputs)) data[`input-${id}`] = value;
    const res = await t.post(
      cardAction(user, connector.url, activity.id, {
        verb: button.verb,
        title: button.title,
        data,
      }),
    );
    return { status: res.status, body: res.body as { type: string; value: unknown } };
  }

  beforeEach(async () => {
    await connector.start();
    for (const u of EVERYONE) connector.conversations.add(u.conversationId);
    t = await teamsInProcess(YAML);
    registerPlanActions();
    // Each person installed the app, so each has a conversation reference.
    for (const u of EVERYONE) expect((await t.post(botAdded(u, connector.url))).status).toBe(200);
    connector.activities.clear();
  });

  afterEach(async () => {
    await t?.close();
    await connector.stop();
  });

  it('nudges the owners once on the due day, with Done, Re-plan and Blocked buttons', async () => {
    expect(await check('2026-02-10')).toMatchObject({ nudges: 2, unreachable: 0 });
    expect(await check('2026-02-10')).toMatchObject({ nudges: 0, unreachable: 0 });
    for (const u of [owner, otherOwner]) {
      const cards = cardsTo(u);
      expect(cards).toHaveLength(1);
      expect(textOfCard(cards[0]!)).toContain('Agree terms of reference');
      expect(textOfCard(cards[0]!)).toContain('due today');
      expect(cards[0]!.actions?.map((a) => [a.type, a.title, a.verb])).toEqual([
        ['Action.Execute', 'Done', 'notice'],
        ['Action.Execute', 'Re-plan', 'notice'],
        ['Action.Execute', 'Blocked', 'notice'],
      ]);
      expect(cards[0]!.actions?.every((a) => a.data.value === MILESTONE)).toBe(true);
    }
    expect(cardsTo(clientLead)).toHaveLength(0);
    expect(cardsTo(providerLead)).toHaveLength(0);
  });

  it('marks it done on a click of Done and chases it no more', async () => {
    await check('2026-02-10');
    const nudge = connector.activitiesIn(owner.conversationId).at(-1)!;
    const reply = await click(owner, nudge, 'milestone-done');
    expect(reply.status).toBe(200);
    expect(reply.body.type).toBe('application/vnd.microsoft.card.adaptive');
    const answer = reply.body.value as Card;
    expect(textOfCard(answer)).toMatch(/^Done: Agree terms of reference/);
    expect(textOfCard(answer)).toContain('Cody marked it done on 2026-02-10');
    expect(answer.actions ?? []).toHaveLength(0);
    const stored = await t.rt.ctx.store.milestones.findById(MILESTONE).lean();
    expect(stored).toMatchObject({ state: 'done', doneOn: '2026-02-10', doneBy: 'c03' });

    const before = sentCount();
    for (const day of ['10', '12', '15', '17', '24']) {
      expect(await check(`2026-02-${day}`)).toMatchObject({ nudges: 0, escalations: 0 });
    }
    expect(sentCount()).toBe(before);
  });

  it('says it was already done when the other owner clicks Done later', async () => {
    await check('2026-02-10');
    await click(owner, connector.activitiesIn(owner.conversationId).at(-1)!, 'milestone-done');
    t.rt.clock.now = new Date('2026-02-11T08:00:00Z');
    const late = connector.activitiesIn(otherOwner.conversationId).at(-1)!;
    const reply = await click(otherOwner, late, 'milestone-done');
    expect(textOfCard(reply.body.value as Card)).toContain('It was marked done on 2026-02-10.');
    const stored = await t.rt.ctx.store.milestones.findById(MILESTONE).lean();
    expect(stored).toMatchObject({ doneOn: '2026-02-10', doneBy: 'c03' });
  });

  it('lets nobody outside the engagement mark it done', async () => {
    await check('2026-02-10');
    const stranger = teamsUser(CLIENT, '7b000000-0000-4000-8000-0000000000e9', 'Eve');
    const nudge = connector.activitiesIn(owner.conversationId).at(-1)!;
    const reply = await click(stranger, nudge, 'milestone-done');
    expect(reply.body).toMatchObject({
      type: 'application/vnd.microsoft.activity.message',
      value: expect.stringMatching(/^Only the owners/) as string,
    });
    expect((await t.rt.ctx.store.milestones.findById(MILESTONE).lean())?.state).toBe('open');
  });

  it('alerts both governance leads once when an owner reports it blocked', async () => {
    await check('2026-02-10');
    const nudge = connector.activitiesIn(otherOwner.conversationId).at(-1)!;
    const form = await click(otherOwner, nudge, 'milestone-blocked');
    const formCard = form.body.value as Card;
    expect(textOfCard(formCard)).toMatch(/^Blocked: Agree terms/);
    expect(formCard.body.some((b) => b.type === 'Input.Text' && b.id === 'input-reason')).toBe(
      true,
    );
    // Teams replaces the nudge with the card of the invoke response; the Send button is on it.
    const formActivity: ConnectorActivity = {
      ...nudge,
      body: { ...nudge.body, attachments: [{ content: formCard }] },
    };

    const empty = await click(otherOwner, formActivity, 'milestone-blocked-save');
    expect(empty.body).toMatchObject({
      value: expect.stringMatching(/^Not saved: reason/) as string,
    });
    expect(cardsTo(clientLead)).toHaveLength(0);

    const reason = { reason: 'waiting on legal review' };
    const [first, second] = await Promise.all([
      click(otherOwner, formActivity, 'milestone-blocked-save', reason),
      click(otherOwner, formActivity, 'milestone-blocked-save', reason),
    ]);
    for (const r of [first, second]) {
      expect(textOfCard(r.body.value as Card)).toContain(
        'Priya reported it blocked: waiting on legal review',
      );
    }
    for (const lead of [clientLead, providerLead]) {
      const cards = cardsTo(lead);
      expect(cards).toHaveLength(1);
      expect(textOfCard(cards[0]!)).toMatch(/Blocked milestone: Agree terms/);
      expect(textOfCard(cards[0]!)).toContain('waiting on legal review');
    }
    const stored = await t.rt.ctx.store.milestones.findById(MILESTONE).lean();
    expect(stored?.blocks.map((b) => b.reason)).toEqual(['waiting on legal review']);
    expect(stored?.state).toBe('open');
  });
});
