import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/cli/time-option.js';

describe('times given on the command line', () => {
  it('takes dates and times with Z or an offset', () => {
    expect(isoTime('2026-03-29T23:00Z').toISOString()).toBe('2026-03-29T23:00:00.000Z');
    expect(isoTime('2026-03-29T18:00:00-05:00').toISOString()).toBe('2026-03-29T23:00:00.000Z');
    expect(isoTime('2026-03-29').toISOString()).toBe('2026-03-29T00:00:00.000Z');
  });

  it('refuses impossible dates and times without an offset', () => {
    expect(() => isoTime('2026-02-30')).toThrow(/not an ISO 8601 time/);
    expect(() => isoTime('2026-03-29T10:00')).toThrow(/with Z or an offset/);
    expect(() => isoTime('yesterday')).toThrow(/not an ISO 8601 time/);
  });
});
