import type { KnownBlock } from '@slack/types';
import { AGREEMENT_LABELS } from '../../src/domain/questions.js';
import type { PulseQuestionView, PulseView } from '../chat-port.js';
import { encodeAnswer } from '../answer-value.js';

function scoreLabel(q: PulseQuestionView, score: number): string {
  return q.scale === 'nps' ? String(score) : (AGREEMENT_LABELS[score - 1] ?? String(score));
}

function choices(q: PulseQuestionView): number[] {
  return q.scale === 'nps' ? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] : [1, 2, 3, 4, 5];
}

function questionBlocks(pulse: PulseView, q: PulseQuestionView): KnownBlock[] {
  const section: KnownBlock = { type: 'section', text: { type: 'mrkdwn', text: `*${q.text}*` } };
  if (pulse.status === 'closed') {
    const said = q.chosen === null ? 'not answered' : `you answered *${scoreLabel(q, q.chosen)}*`;
    return [section, { type: 'context', elements: [{ type: 'mrkdwn', text: said }] }];
  }
  const buttons = choices(q).map((score) => ({
    type: 'button' as const,
    action_id: `answer-${q.id}-${score}`,
    text: { type: 'plain_text' as const, text: scoreLabel(q, score) },
    value: encodeAnswer({ deliveryId: pulse.deliveryId, questionId: q.id, score }),
    ...(q.chosen === score ? { style: 'primary' as const } : {}),
  }));
  // Slack allows at most 25 elements an actions block; 11 fit, so one block per question.
  const actions: KnownBlock = { type: 'actions', block_id: `q-${q.id}`, elements: buttons };
  const blocks: KnownBlock[] = [section, actions];
  if (q.chosen !== null) {
    const text = `You chose *${scoreLabel(q, q.chosen)}*. Click another to change it.`;
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
  }
  return blocks;
}

/** A date Slack shows in each reader's own time zone, with a UTC fallback. */
function slackDate(t: Date): string {
  const unix = Math.floor(t.getTime() / 1000);
  return `<!date^${unix}^{date_short_pretty} at {time}|${t.toISOString().slice(0, 16)} UTC>`;
}

/** Slack blocks of one person's pulse: one question after another, one click each. */
export function pulseBlocks(pulse: PulseView): KnownBlock[] {
  const intro =
    pulse.status === 'closed'
      ? `This pulse for *${pulse.engagementName}* has closed. Thank you.`
      : `A quick pulse on *${pulse.engagementName}*: one click per question. ` +
        `Answers can change until ${slackDate(pulse.closesAt)}.`;
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: intro } }];
  for (const q of pulse.questions) blocks.push(...questionBlocks(pulse, q));
  return blocks;
}

/** The notification text shown where blocks are not (push notifications, old clients). */
export function pulseFallbackText(pulse: PulseView): string {
  return pulse.status === 'closed'
    ? `The ${pulse.engagementName} pulse has closed.`
    : `A quick pulse on ${pulse.engagementName}: ${pulse.questions.length} one-click questions.`;
}
