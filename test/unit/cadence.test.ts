import { describe, expect, it } from 'vitest';
import { nextOccurrences, occursOn, type Cadence } from '../../src/domain/cadence.js';

const fortnightly: Cadence = {
  unit: 'week',
  every: 2,
  on: 'tuesday',
  at: '09:30',
  startsOn: '2026-01-06',
};

describe('cadence', () => {
  it('repeats every second Tuesday from its start', () => {
    expect(nextOccurrences(fortnightly, '2026-01-01', 4)).toEqual([
      '2026-01-06',
      '2026-01-20',
      '2026-02-03',
      '2026-02-17',
    ]);
    expect(occursOn(fortnightly, '2026-01-13')).toBe(false);
  });

  it('stops at the last date asked for, that date included', () => {
    expect(nextOccurrences(fortnightly, '2026-01-01', 4, '2026-01-20')).toEqual([
      '2026-01-06',
      '2026-01-20',
    ]);
    expect(nextOccurrences(fortnightly, '2026-01-07', 4, '2026-01-19')).toEqual([]);
    expect(nextOccurrences(fortnightly, '2026-01-01', 1, '2026-12-31')).toEqual(['2026-01-06']);
  });

  it('keeps a monthly cadence on the nth weekday its start date is', () => {
    const monthly: Cadence = {
      unit: 'month',
      every: 1,
      on: 'wednesday',
      at: '10:00',
      startsOn: '2026-01-07',
    };
    expect(nextOccurrences(monthly, '2026-01-08', 3)).toEqual([
      '2026-02-04',
      '2026-03-04',
      '2026-04-01',
    ]);
  });

  it('clamps a day-of-month cadence to short months', () => {
    const c: Cadence = { unit: 'month', every: 1, day: 31, at: '10:00', startsOn: '2026-01-31' };
    expect(nextOccurrences(c, '2026-01-01', 3)).toEqual(['2026-01-31', '2026-02-28', '2026-03-31']);
  });

  it('reads a stored cadence whose absent fields came back as null', () => {
    const stored: Cadence = {
      unit: 'month',
      every: 1,
      on: 'wednesday',
      day: null,
      nth: null,
      at: '10:00',
      startsOn: '2026-01-07',
    };
    expect(nextOccurrences(stored, '2026-11-15', 2)).toEqual(['2026-12-02', '2027-01-06']);
  });
});
