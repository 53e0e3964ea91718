import { describe, expect, it } from 'vitest';
import { nextOccurrences, type Cadence } from '../../src/domain/cadence.js';
import { localInstant } from '../../src/domain/local-time.js';

const iso = (d: Date) => d.toISOString();

describe('local time of a pulse', () => {
  it('keeps a 09:30 pulse at 09:30 local across the spring and autumn changes', () => {
    const weekly: Cadence = {
      unit: 'week',
      every: 1,
      on: 'monday',
      at: '09:30',
      startsOn: '2026-03-23',
    };
    const dates = nextOccurrences(weekly, '2026-03-23', 2);
    expect(dates).toEqual(['2026-03-23', '2026-03-30']);
    // London moves from GMT to BST on 29 March 2026.
    expect(dates.map((d) => iso(localInstant(d, '09:30', 'Europe/London')))).toEqual([
      '2026-03-23T09:30:00.000Z',
      '2026-03-30T08:30:00.000Z',
    ]);
    expect(iso(localInstant('2026-10-26', '09:30', 'Europe/London'))).toBe(
      '2026-10-26T09:30:00.000Z',
    );
  });

  it('moves a time the clocks skip forward by the jump', () => {
    expect(iso(localInstant('2026-03-08', '02:30', 'America/New_York'))).toBe(
      '2026-03-08T07:30:00.000Z',
    );
    // Lord Howe Island skips half an hour: 02:15 becomes 02:45 (+11:00).
    expect(iso(localInstant('2026-10-04', '02:15', 'Australia/Lord_Howe'))).toBe(
      '2026-10-03T15:45:00.000Z',
    );
  });

  it('takes the earlier instant of a time the clocks show twice', () => {
    expect(iso(localInstant('2026-11-01', '01:30', 'America/New_York'))).toBe(
      '2026-11-01T05:30:00.000Z',
    );
    expect(iso(localInstant('2026-04-05', '01:45', 'Australia/Lord_Howe'))).toBe(
      '2026-04-04T14:45:00.000Z',
    );
    expect(iso(localInstant('2026-10-25', '01:30', 'Europe/London'))).toBe(
      '2026-10-25T00:30:00.000Z',
    );
  });

  it('reads half-hour zones without a change as they are', () => {
    expect(iso(localInstant('2026-03-29', '09:30', 'Asia/Kolkata'))).toBe(
      '2026-03-29T04:00:00.000Z',
    );
  });
});
