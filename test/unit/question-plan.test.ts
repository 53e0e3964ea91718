import { addWeeks } from 'date-fns';
import { describe, expect, it } from 'vitest';
import type { Dimension } from '../../src/domain/dimension.js';
import { planQuestions, type AskedHistory } from '../../src/domain/question-plan.js';
import { questionFor, ROTATION } from '../../src/domain/questions.js';

/** Plans `pulses` fortnightly pulses for one person, as the pulse service records history. */
function simulate(perPulse: number, pulses: number, windowWeeks = 13) {
  const history: AskedHistory = {};
  const plans: Dimension[][] = [];
  let t = new Date('2026-01-05T15:00:00Z');
  for (let i = 0; i < pulses; i++) {
    const plan = planQuestions(history, addWeeks(t, -(windowWeeks - 1)), perPulse);
    for (const d of plan) history[d] = t;
    plans.push(plan);
    t = addWeeks(t, 2);
  }
  return plans;
}

describe('the question rotation', () => {
  it('asks the NPS question first, then at most once per rolling window', () => {
    const plans = simulate(3, 20);
    expect(plans[0]![0]).toBe('advocacy');
    const npsPulses = plans.flatMap((p, i) => (p.includes('advocacy') ? [i] : []));
    for (let k = 1; k < npsPulses.length; k++) {
      // Fortnightly pulses: 13 weeks apart means at least 7 pulses apart.
      expect(npsPulses[k]! - npsPulses[k - 1]!).toBeGreaterThanOrEqual(7);
    }
    expect(npsPulses.length).toBeGreaterThanOrEqual(3);
  });

  it('never asks more than questionsPerPulse questions, nor one twice in a pulse', () => {
    for (const q of [1, 2, 3, 4, 7]) {
      for (const plan of simulate(q, 15)) {
        expect(plan.length).toBeLessThanOrEqual(q);
        expect(new Set(plan).size).toBe(plan.length);
      }
    }
  });

  it('reaches every agreement dimension within ⌈6 / (q − 1)⌉ pulses, again and again', () => {
    for (const q of [2, 3, 4]) {
      const bound = Math.ceil(ROTATION.length / (q - 1));
      const plans = simulate(q, 30);
      for (const d of ROTATION) {
        const asked = plans.flatMap((p, i) => (p.includes(d) ? [i] : []));
        expect(asked[0]).toBeLessThan(bound);
        for (let k = 1; k < asked.length; k++) {
          expect(asked[k]! - asked[k - 1]!).toBeLessThanOrEqual(bound);
        }
        expect(asked.at(-1)).toBeGreaterThanOrEqual(30 - bound);
      }
    }
  });

  it('mirrors each question for the two sides with the other organisation named', () => {
    const parties = { client: 'Harbor', provider: 'Meridian' };
    for (const d of [...ROTATION, 'advocacy' as const]) {
      expect(questionFor(d, 'client', parties).text).toContain('Meridian');
      expect(questionFor(d, 'provider', parties).text).toContain('Harbor');
    }
    expect(questionFor('advocacy', 'provider', parties).text).toMatch(/working on the Harbor/);
  });
});
