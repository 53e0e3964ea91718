import { AGREEMENT_LABELS } from '../../src/domain/questions.js';
import type { NoticeView, PulseQuestionView, PulseView } from '../chat-port.js';
import type { TextSection } from '../render-scores.js';

/** An Adaptive Card as plain JSON; Teams renders schema 1.4 with `Action.Execute`. */
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: string;
  body: Record<string, unknown>[];
  actions?: Record<string, unknown>[];
}

/** The content type Teams expects for an Adaptive Card attachment or invoke response. */
export const ADAPTIVE_CARD_TYPE = 'application/vnd.microsoft.card.adaptive';

/** The `Action.Execute` verb of an answer button; its data is an {@link AnswerData}. */
export const ANSWER_VERB = 'answer';

/** The `Action.Execute` verb of a notice button; data `{ action, value }` plus inputs. */
export const NOTICE_VERB = 'notice';

/** Input ids on a notice card start with this, so they never collide with `action`/`value`. */
export const NOTICE_INPUT_PREFIX = 'input-';

/** What an answer button carries back in `value.action.data`. */
export interface AnswerData {
  deliveryId: string;
  questionId: string;
  score: number;
}

function card(body: Record<string, unknown>[], actions?: Record<string, unknown>[]) {
  const c: AdaptiveCard = {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.4',
    body,
  };
  if (actions && actions.length > 0) c.actions = actions;
  return c;
}

function text(value: string, extra: Record<string, unknown> = {}) {
  return { type: 'TextBlock', text: value, wrap: true, ...extra };
}

function scoreLabel(q: PulseQuestionView, score: number): string {
  return q.scale === 'nps' ? String(score) : (AGREEMENT_LABELS[score - 1] ?? String(score));
}

function choices(q: PulseQuestionView): number[] {
  return q.scale === 'nps' ? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] : [1, 2, 3, 4, 5];
}

function answerButton(pulse: PulseView, q: PulseQuestionView, score: number) {
  const data: AnswerData = { deliveryId: pulse.deliveryId, questionId: q.id, score };
  return {
    type: 'Action.Execute',
    id: `answer-${q.id}-${score}`,
    title: q.chosen === score ? `✓ ${scoreLabel(q, score)}` : scoreLabel(q, score),
    verb: ANSWER_VERB,
    data,
    ...(q.chosen === score ? { style: 'positive' } : {}),
  };
}

function questionItems(pulse: PulseView, q: PulseQuestionView): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [
    text(q.text, { weight: 'Bolder', spacing: 'Medium', id: `q-${q.id}` }),
  ];
  if (pulse.status === 'closed') {
    const said = q.chosen === null ? 'Not answered' : `You answered ${scoreLabel(q, q.chosen)}`;
    items.push(text(said, { isSubtle: true, spacing: 'None' }));
    return items;
  }
  // An ActionSet per question keeps each question's buttons beside it; Teams wraps them.
  items.push({
    type: 'ActionSet',
    id: `answers-${q.id}`,
    actions: choices(q).map((score) => answerButton(pulse, q, score)),
  });
  if (q.chosen !== null) {
    const said = `You chose ${scoreLabel(q, q.chosen)}. Click another to change it.`;
    items.push(text(said, { isSubtle: true, spacing: 'None' }));
  }
  return items;
}

/** One person's pulse as an Adaptive Card: each question with one button per score. */
export function pulseCard(pulse: PulseView): AdaptiveCard {
  const closes = pulse.closesAt.toISOString().slice(0, 19) + 'Z';
  const intro =
    pulse.status === 'closed'
      ? `This pulse for **${pulse.engagementName}** has closed. Thank you.`
      : `A quick pulse on **${pulse.engagementName}**: one click per question. ` +
        `Answers can change until {{DATE(${closes}, SHORT)}} {{TIME(${closes})}}.`;
  const body: Record<string, unknown>[] = [text(intro)];
  for (const q of pulse.questions) body.push(...questionItems(pulse, q));
  return card(body);
}

/** A notice as an Adaptive Card: title, lines, input fields and its buttons. */
export function noticeCard(notice: NoticeView): AdaptiveCard {
  const body: Record<string, unknown>[] = [
    text(notice.title, { weight: 'Bolder', size: 'Medium' }),
    ...notice.lines.map((l) => text(l, { spacing: 'Small' })),
  ];
  for (const input of notice.inputs ?? []) {
    body.push({
      type: input.kind === 'date' ? 'Input.Date' : 'Input.Text',
      id: `${NOTICE_INPUT_PREFIX}${input.id}`,
      label: input.label,
    });
  }
  const actions = (notice.buttons ?? []).map((b, i) => ({
    type: 'Action.Execute',
    id: `notice-${b.action}-${i}`,
    title: b.label,
    verb: NOTICE_VERB,
    data: { action: b.action, value: b.value },
    ...(b.style === 'primary' ? { style: 'positive' } : {}),
    ...(b.style === 'danger' ? { style: 'destructive' } : {}),
  }));
  return card(body, actions);
}

/** A scores reply as an Adaptive Card: one bold title and a short list per section. */
export function sectionsCard(sections: TextSection[]): AdaptiveCard {
  const body: Record<string, unknown>[] = [];
  for (const s of sections) {
    body.push(text(s.title, { weight: 'Bolder', spacing: 'Medium' }));
    body.push(text(s.lines.map((l) => `- ${l}`).join('\r\n'), { spacing: 'Small' }));
  }
  return card(body);
}

/** The text shown where a card is not (notifications, the chat list). */
export function pulseSummary(pulse: PulseView): string {
  return pulse.status === 'closed'
    ? `The ${pulse.engagementName} pulse has closed.`
    : `A quick pulse on ${pulse.engagementName}: ${pulse.questions.length} one-click questions.`;
}
