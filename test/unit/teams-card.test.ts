import { describe, expect, it } from 'vitest';
import type { PulseView } from '../../adapters/chat-port.js';
import { pulseCard } from '../../adapters/teams/render-card.js';

const view: PulseView = {
  deliveryId: 'eng--2026-03-04--p1',
  engagementName: 'Lakeside Health x Orbit Services',
  side: 'client',
  status: 'open',
  closesAt: new Date('2026-03-07T09:00:00Z'),
  questions: [
    { id: 'advocacy', text: 'Recommend?', scale: 'nps', chosen: null },
    { id: 'governance', text: 'Decisions are handled well.', scale: 'agree5', chosen: 4 },
  ],
};

type Item = { type: string; id?: string; text?: string; actions?: Record<string, unknown>[] };

function items(status: 'open' | 'closed') {
  return pulseCard({ ...view, status }).body as Item[];
}

describe('a pulse as an Adaptive Card', () => {
  it('has one Action.Execute per score, carrying delivery, question and score', () => {
    const nps = items('open').find((b) => b.id === 'answers-advocacy')!;
    expect(nps.actions).toHaveLength(11);
    expect(nps.actions?.[7]).toMatchObject({
      type: 'Action.Execute',
      verb: 'answer',
      title: '7',
      data: { deliveryId: view.deliveryId, questionId: 'advocacy', score: 7 },
    });
  });

  it('marks the chosen answer and says it can change', () => {
    const agreement = items('open').find((b) => b.id === 'answers-governance')!;
    const chosen = agreement.actions?.filter((a) => a.style === 'positive');
    expect(chosen?.map((a) => (a.data as { score: number }).score)).toEqual([4]);
    expect(items('open').map((b) => b.text)).toContain(
      'You chose Agree. Click another to change it.',
    );
  });

  it('has no buttons once closed, and shows what was answered', () => {
    const closed = items('closed');
    expect(closed.filter((b) => b.type === 'ActionSet')).toEqual([]);
    expect(closed.map((b) => b.text)).toEqual(
      expect.arrayContaining(['Not answered', 'You answered Agree']),
    );
    expect(closed[0]?.text).toMatch(/has closed/);
  });
});
