import { describe, expect, it } from 'vitest';
import { decodeAnswer } from '../../adapters/answer-value.js';
import { pulseBlocks } from '../../adapters/slack/render-pulse.js';

describe('a pulse message in Slack', () => {
  const pulse = {
    deliveryId: 'e--2026-03-02--c1',
    engagementName: 'Acme x Globex',
    side: 'client' as const,
    status: 'open' as const,
    closesAt: new Date('2026-03-05T10:00:00Z'),
    questions: [
      { id: 'advocacy', text: 'Recommend Globex?', scale: 'nps' as const, chosen: null },
      { id: 'governance', text: 'Decisions are good.', scale: 'agree5' as const, chosen: null },
    ],
  };

  it('shows an agreement question as five one-click buttons, Strongly disagree to agree', () => {
    const blocks = pulseBlocks(pulse);
    const actions = blocks.find((b) => b.type === 'actions' && b.block_id === 'q-governance');
    if (actions?.type !== 'actions') throw new Error('no buttons for the agreement question');
    const buttons = actions.elements.map((e) => {
      if (e.type !== 'button') throw new Error(e.type);
      return { label: e.text.text, answer: decodeAnswer(e.value) };
    });
    expect(buttons.map((b) => b.label)).toEqual([
      'Strongly disagree',
      'Disagree',
      'Neutral',
      'Agree',
      'Strongly agree',
    ]);
    expect(buttons.map((b) => b.answer?.score)).toEqual([1, 2, 3, 4, 5]);
    expect(buttons.every((b) => b.answer?.questionId === 'governance')).toBe(true);
  });

  it('puts every question of the pulse in one message, the NPS one with eleven buttons', () => {
    const actions = pulseBlocks(pulse).filter((b) => b.type === 'actions');
    expect(actions).toHaveLength(2);
    const nps = actions[0]!;
    expect(nps.type === 'actions' && nps.elements.length).toBe(11);
  });
});
