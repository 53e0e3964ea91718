import { describe, expect, it } from 'vitest';
import {
  currentStep,
  daysLate,
  milestoneStatus,
  onTimeOutcome,
  plusDays,
} from '../../src/domain/milestone.js';

describe('a milestone', () => {
  it('is open up to its due date and slipped from the day after', () => {
    expect(milestoneStatus({ state: 'open', due: '2026-02-10' }, '2026-02-10')).toBe('open');
    expect(milestoneStatus({ state: 'open', due: '2026-02-10' }, '2026-02-11')).toBe('slipped');
    expect(milestoneStatus({ state: 'done', due: '2026-02-10' }, '2026-03-11')).toBe('done');
  });

  it('reaches the reminder two days before, then the due day, +2, +5 and +7 steps', () => {
    const due = '2026-02-10';
    const steps = [-3, -2, -1, 0, 1, 2, 4, 5, 6, 7, 30].map((d) =>
      currentStep(due, plusDays(due, d)),
    );
    expect(steps).toEqual([
      null,
      'reminder',
      'reminder',
      'due',
      'due',
      'late-2',
      'late-2',
      'late-5',
      'late-5',
      'escalation',
      'escalation',
    ]);
  });

  it('counts days late from the first planned date, also after a re-plan', () => {
    const open = { state: 'open' as const, originalDue: '2026-02-10', doneOn: null };
    expect(daysLate(open, '2026-02-09')).toBe(0);
    expect(daysLate(open, '2026-02-14')).toBe(4);
    const done = { state: 'done' as const, originalDue: '2026-02-10', doneOn: '2026-02-12' };
    expect(daysLate(done, '2026-05-01')).toBe(2);
  });

  it('is on time only when done by its first planned date', () => {
    const m = (state: 'open' | 'done', doneOn: string | null) => ({
      state,
      originalDue: '2026-02-10',
      doneOn,
    });
    expect(onTimeOutcome(m('done', '2026-02-10'), '2026-02-20')).toBe('on-time');
    expect(onTimeOutcome(m('done', '2026-02-11'), '2026-02-20')).toBe('late');
    expect(onTimeOutcome(m('open', null), '2026-02-10')).toBeNull();
    expect(onTimeOutcome(m('open', null), '2026-02-11')).toBe('late');
  });
});
