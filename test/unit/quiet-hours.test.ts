import { describe, expect, it } from 'vitest';
import { nextAllowed } from '../../src/domain/quiet-hours.js';

const at = (s: string) => new Date(s);
const iso = (d: Date) => d.toISOString();

describe('quiet hours', () => {
  const night = { from: '19:00', to: '08:00', weekends: true };

  it('leaves a time outside the quiet hours where it is', () => {
    expect(iso(nextAllowed(at('2026-03-03T15:30:00Z'), 'America/Chicago', night))).toBe(
      '2026-03-03T15:30:00.000Z',
    );
  });

  it('moves a late-evening delivery to the next morning, local time', () => {
    // 20:30 in Chicago (CST) on a Tuesday moves to 08:00 Wednesday.
    expect(iso(nextAllowed(at('2026-03-04T02:30:00Z'), 'America/Chicago', night))).toBe(
      '2026-03-04T14:00:00.000Z',
    );
  });

  it('moves an early-morning delivery to 08:00 the same day', () => {
    expect(iso(nextAllowed(at('2026-03-04T01:30:00Z'), 'Asia/Kolkata', night))).toBe(
      '2026-03-04T02:30:00.000Z',
    );
  });

  it('moves a weekend delivery to Monday at the end of the night', () => {
    // Saturday 10:00 in Berlin goes to Monday 08:00, not Monday 00:00 inside the night.
    expect(iso(nextAllowed(at('2026-03-07T09:00:00Z'), 'Europe/Berlin', night))).toBe(
      '2026-03-09T07:00:00.000Z',
    );
  });

  it('moves a Friday-night delivery over the weekend', () => {
    expect(iso(nextAllowed(at('2026-03-06T20:00:00Z'), 'Europe/Berlin', night))).toBe(
      '2026-03-09T07:00:00.000Z',
    );
  });

  it('keeps the local end of the night across a clock change', () => {
    // Berlin springs forward on 29 March 2026; 08:00 Monday the 30th is 06:00 UTC.
    expect(iso(nextAllowed(at('2026-03-28T12:00:00Z'), 'Europe/Berlin', night))).toBe(
      '2026-03-30T06:00:00.000Z',
    );
  });

  it('knows a daytime window and no window at all', () => {
    const lunch = { from: '12:00', to: '13:00' };
    expect(iso(nextAllowed(at('2026-03-04T12:15:00Z'), 'UTC', lunch))).toBe(
      '2026-03-04T13:00:00.000Z',
    );
    expect(iso(nextAllowed(at('2026-03-07T03:00:00Z'), 'UTC', null))).toBe(
      '2026-03-07T03:00:00.000Z',
    );
    expect(iso(nextAllowed(at('2026-03-07T03:00:00Z'), 'UTC', { weekends: false }))).toBe(
      '2026-03-07T03:00:00.000Z',
    );
  });
});
