import type { NoticeButton, NoticeView } from '../../adapters/chat-port.js';
import { daysBetween, type Step } from '../domain/milestone.js';
import type { MilestoneDoc } from '../store/store.js';

/** Names of the milestone buttons' actions in the registry (adapters/actions.ts). */
export const MILESTONE_ACTIONS = {
  done: 'milestone-done',
  replan: 'milestone-replan',
  replanSave: 'milestone-replan-save',
  blocked: 'milestone-blocked',
  blockedSave: 'milestone-blocked-save',
} as const;

/** What the notices say about a milestone besides its own fields. */
export interface MilestoneContext {
  engagementName: string;
  actionTitle: string;
  owners: string[];
}

type Milestone = Pick<MilestoneDoc, '_id' | 'title' | 'due'>;

/** The one-click replies every reminder, nudge and escalation carries. */
export function replyButtons(m: Milestone): NoticeButton[] {
  return [
    { action: MILESTONE_ACTIONS.done, label: 'Done', value: m._id, style: 'primary' },
    { action: MILESTONE_ACTIONS.replan, label: 'Re-plan', value: m._id },
    { action: MILESTONE_ACTIONS.blocked, label: 'Blocked', value: m._id, style: 'danger' },
  ];
}

function days(n: number): string {
  return n === 1 ? '1 day' : `${n} days`;
}

function heading(step: Step, m: Milestone, today: string): string {
  const late = daysBetween(m.due, today);
  switch (step) {
    case 'reminder':
      return `Milestone due in ${days(-late)}: ${m.title}`;
    case 'due':
      return late > 0
        ? `Milestone ${days(late)} late: ${m.title}`
        : `Milestone due today: ${m.title}`;
    case 'late-2':
    case 'late-5':
      return `Milestone ${days(late)} late: ${m.title}`;
    case 'escalation':
      return `Escalation: milestone ${days(late)} late: ${m.title}`;
  }
}

/** The message of one chasing step, with the one-click replies. */
export function stepNotice(
  step: Step,
  m: Milestone,
  c: MilestoneContext,
  today: string,
): NoticeView {
  const lines = [`${c.engagementName}: ${c.actionTitle}`, `Due ${m.due}.`];
  if (step === 'escalation') {
    lines.push(`Owners: ${c.owners.join(', ')}. The owners were nudged and it is still open.`);
  }
  lines.push('Is it done, does it need a new date, or is it blocked?');
  return { title: heading(step, m, today), lines, buttons: replyButtons(m) };
}

/** The form a Re-plan click turns the message into. */
export function replanForm(m: Milestone, c: MilestoneContext): NoticeView {
  return {
    title: `Re-plan: ${m.title}`,
    lines: [`${c.engagementName}: ${c.actionTitle}`, `Due ${m.due} now. Pick a new date.`],
    inputs: [
      { id: 'due', label: 'New due date', kind: 'date' },
      { id: 'reason', label: 'Reason', kind: 'text' },
    ],
    buttons: [
      { action: MILESTONE_ACTIONS.replanSave, label: 'Re-plan', value: m._id, style: 'primary' },
    ],
  };
}

/** The form a Blocked click turns the message into. */
export function blockedForm(m: Milestone, c: MilestoneContext): NoticeView {
  return {
    title: `Blocked: ${m.title}`,
    lines: [
      `${c.engagementName}: ${c.actionTitle}`,
      'What is in the way? The governance leads of both sides will see it.',
    ],
    inputs: [{ id: 'reason', label: 'Reason', kind: 'text' }],
    buttons: [
      { action: MILESTONE_ACTIONS.blockedSave, label: 'Send', value: m._id, style: 'danger' },
    ],
  };
}

/** The alert governance leads receive when an owner reports a milestone blocked. */
export function blockedAlert(m: Milestone, c: MilestoneContext, by: string, reason: string) {
  return {
    title: `Blocked milestone: ${m.title}`,
    lines: [
      `${c.engagementName}: ${c.actionTitle}`,
      `${by} reports it blocked: ${reason}`,
      `Due ${m.due}.`,
    ],
    buttons: replyButtons(m),
  } satisfies NoticeView;
}

/** What a message says once its milestone is settled; it has no buttons left. */
export function settledNotice(title: string, lines: string[]): NoticeView {
  return { title, lines };
}
