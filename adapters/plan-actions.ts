import type { Context } from '../src/services/context.js';
import { UserError } from '../src/errors.js';
import { addAction } from '../src/services/action-plan.js';
import { replyButtons, MILESTONE_ACTIONS } from '../src/services/milestone-notices.js';
import {
  block,
  loadMilestone,
  markDone,
  replan,
  type MilestoneChange,
} from '../src/services/milestone-updates.js';
import { blockedForm, replanForm, settledNotice } from '../src/services/milestone-notices.js';
import type { Requester } from '../src/services/requests.js';
import { registerAction, type ActionClick, type ActionReply } from './actions.js';
import type { NoticeView } from './chat-port.js';

/** The action name of the chat form's Add button. */
export const ADD_ACTION = 'action-add';

/** Roles that may add action items to their engagement's plan. */
const PLAN_ROLES = ['governance_lead', 'relationship_manager', 'admin'];

/** Roles that may settle any milestone of their engagement, besides its owners. */
const MILESTONE_ROLES = ['governance_lead', 'admin'];

const GONE = 'That milestone no longer exists.';
const NOT_YOURS =
  'Only the owners of this action and the governance leads can change its milestones.';

function identityFilter(r: Requester) {
  return r.platform === 'slack'
    ? { 'slack.team': r.team, 'slack.user': r.user, active: true }
    : { 'teams.tenant': r.tenant, 'teams.user': r.user, active: true };
}

/** The person behind a click in one engagement, or null when they take no part in it. */
export async function actorIn(ctx: Context, actor: Requester, engagementId: string) {
  return ctx.store.people.findOne({ ...identityFilter(actor), engagementId }).lean();
}

/** Loads the clicked milestone and checks the clicker may change it. */
async function authorised(ctx: Context, click: ActionClick) {
  const loaded = await loadMilestone(ctx, click.value);
  if (!loaded) return { error: GONE } as const;
  const person = await actorIn(ctx, click.actor, loaded.milestone.engagementId);
  const owner = person && loaded.item?.owners.includes(person.personId);
  const lead = person && person.roles.some((r) => MILESTONE_ROLES.includes(r));
  if (!person || (!owner && !lead)) return { error: NOT_YOURS } as const;
  return { loaded, person } as const;
}

function outcome(change: MilestoneChange, by: string): ActionReply {
  switch (change.kind) {
    case 'unknown':
      return { message: GONE };
    case 'already-done':
      return {
        notice: settledNotice(`Done: ${change.milestone.title}`, [
          `It was marked done on ${change.milestone.doneOn ?? 'an earlier day'}.`,
        ]),
      };
    case 'done':
      return {
        notice: settledNotice(`Done: ${change.milestone.title}`, [
          `${by} marked it done on ${change.milestone.doneOn}. Thank you.`,
        ]),
      };
    case 'replanned': {
      const last = change.milestone.replans.at(-1);
      const times = change.milestone.replans.length;
      return {
        notice: {
          title: `Re-planned: ${change.milestone.title}`,
          lines: [
            `${by} moved it from ${last?.from} to ${change.milestone.due}: ${last?.reason}`,
            `Re-planned ${times === 1 ? 'once' : `${times} times`}.`,
          ],
          buttons: replyButtons(change.milestone),
        },
      };
    }
    case 'blocked':
      return {
        notice: {
          title: `Blocked: ${change.milestone.title}`,
          lines: [
            `${by} reported it blocked: ${change.milestone.blocks.at(-1)?.reason ?? ''}`,
            'The governance leads of both sides have been told.',
          ],
          buttons: replyButtons(change.milestone),
        },
      };
  }
}

/** Runs `work`, turning a UserError (a field left empty, say) into a private reply. */
async function explained(work: () => Promise<ActionReply>): Promise<ActionReply> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof UserError) return { message: `Not saved: ${err.message}` };
    throw err;
  }
}

/** The chat form that adds an action item with its first milestone. */
export function addActionForm(engagementId: string, engagementName: string): NoticeView {
  return {
    title: `New action for ${engagementName}`,
    lines: [
      'Owners are person ids from the engagement file, comma-separated, ideally one per side.',
    ],
    inputs: [
      { id: 'title', label: 'Action', kind: 'text' },
      { id: 'dimension', label: 'Dimension (e.g. governance)', kind: 'text' },
      { id: 'owners', label: 'Owners', kind: 'text' },
      { id: 'milestone', label: 'First milestone', kind: 'text' },
      { id: 'due', label: 'Due', kind: 'date' },
    ],
    buttons: [{ action: ADD_ACTION, label: 'Add', value: engagementId, style: 'primary' }],
  };
}

async function addFromForm(ctx: Context, click: ActionClick): Promise<ActionReply> {
  const engagementId = click.value;
  const person = await actorIn(ctx, click.actor, engagementId);
  if (!person || !person.roles.some((r) => PLAN_ROLES.includes(r))) {
    return { message: 'Only governance leads and relationship managers can add actions.' };
  }
  const { title, dimension, owners, milestone, due } = click.inputs;
  const milestones = milestone || due ? [{ title: milestone ?? '', due: due ?? '' }] : [];
  const input = {
    title: title ?? '',
    dimension: dimension?.trim().toLowerCase().replaceAll(' ', '_') ?? '',
    owners: (owners ?? '').split(/[\s,]+/).filter(Boolean),
    milestones,
  };
  const added = await addAction(ctx.store, engagementId, input, 'chat');
  const lines = [`Owners: ${input.owners.join(', ')}.`];
  if (added.milestoneIds.length > 0) lines.push(`Milestone ${added.milestoneIds[0]} due ${due}.`);
  return { notice: settledNotice(`Added action ${added.actionId}: ${input.title}`, lines) };
}

/** Registers the milestone replies and the add-action form with the action registry. */
export function registerPlanActions(): void {
  registerAction(MILESTONE_ACTIONS.done, async (ctx, click) => {
    const a = await authorised(ctx, click);
    if ('error' in a) return { message: a.error };
    const name = a.person.name ?? a.person.personId;
    return outcome(await markDone(ctx, click.value, a.person.personId), name);
  });
  registerAction(MILESTONE_ACTIONS.replan, async (ctx, click) => {
    const a = await authorised(ctx, click);
    if ('error' in a) return { message: a.error };
    const { milestone, context } = a.loaded;
    if (milestone.state === 'done') return outcome({ kind: 'already-done', milestone }, '');
    return { notice: replanForm(milestone, context) };
  });
  registerAction(MILESTONE_ACTIONS.replanSave, async (ctx, click) => {
    const a = await authorised(ctx, click);
    if ('error' in a) return { message: a.error };
    const name = a.person.name ?? a.person.personId;
    return explained(async () =>
      outcome(await replan(ctx, click.value, click.inputs, a.person.personId), name),
    );
  });
  registerAction(MILESTONE_ACTIONS.blocked, async (ctx, click) => {
    const a = await authorised(ctx, click);
    if ('error' in a) return { message: a.error };
    const { milestone, context } = a.loaded;
    if (milestone.state === 'done') return outcome({ kind: 'already-done', milestone }, '');
    return { notice: blockedForm(milestone, context) };
  });
  registerAction(MILESTONE_ACTIONS.blockedSave, async (ctx, click) => {
    const a = await authorised(ctx, click);
    if ('error' in a) return { message: a.error };
    const by = { personId: a.person.personId, name: a.person.name ?? a.person.personId };
    return explained(async () => outcome(await block(ctx, click.value, click.inputs, by), by.name));
  });
  registerAction(ADD_ACTION, (ctx, click) => explained(() => addFromForm(ctx, click)));
}
