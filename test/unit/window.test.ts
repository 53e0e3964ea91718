import { describe, expect, it } from 'vitest';
import { localIso, rollingWindow, weekKey } from '../../src/domain/window.js';

describe('rolling window', () => {
  it('starts on the Monday twelve ISO weeks before the as-of week, in the engagement zone', () => {
    const w = rollingWindow(new Date('2026-03-29T23:00:00Z'), 'America/Chicago');
    expect(localIso(w.start, 'America/Chicago')).toBe('2025-12-29T00:00:00-06:00');
  });

  it('keeps local midnight across a DST change inside the window', () => {
    const w = rollingWindow(new Date('2026-06-10T15:00:00Z'), 'America/Chicago');
    expect(localIso(w.start, 'America/Chicago')).toBe('2026-03-16T00:00:00-05:00');
    const autumn = rollingWindow(new Date('2026-09-27T23:00:00Z'), 'America/Chicago');
    expect(localIso(autumn.start, 'America/Chicago')).toBe('2026-06-29T00:00:00-05:00');
  });

  it('puts a Sunday-evening answer in the week of its local date, not its UTC date', () => {
    // 2026-03-29 23:30 in Chicago is already Monday 30 March in UTC.
    expect(weekKey(new Date('2026-03-30T04:30:00Z'), 'America/Chicago')).toBe('2026-03-23');
    expect(weekKey(new Date('2026-03-30T04:30:00Z'), 'UTC')).toBe('2026-03-30');
  });

  it('honours a shorter window length', () => {
    const w = rollingWindow(new Date('2026-03-29T23:00:00Z'), 'America/Chicago', 1);
    expect(localIso(w.start, 'America/Chicago')).toBe('2026-03-23T00:00:00-05:00');
  });
});
