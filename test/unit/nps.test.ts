import { describe, expect, it } from 'vitest';
import { npsBand, npsChange, npsFigure } from '../../src/domain/nps.js';

describe('NPS', () => {
  it('matches the published worked example: 10 promoters and 4 detractors of 20', () => {
    const f = npsFigure({ promoters: 10, passives: 6, detractors: 4 });
    expect(f?.value).toBe(30);
    expect(f?.adjusted).toBeCloseTo(26, 0);
    expect(f?.adjusted).toBeCloseTo((100 * 6) / 23, 6);
    expect((f!.high - f!.low) / 2).toBeCloseTo(32, 0);
    expect(f!.low).toBeCloseTo(26 - 32, 0);
  });

  it('bands 9–10 as promoters, 7–8 as passives and 0–6 as detractors', () => {
    expect([0, 6, 7, 8, 9, 10].map(npsBand)).toEqual([
      'detractors',
      'detractors',
      'passives',
      'passives',
      'promoters',
      'promoters',
    ]);
  });

  it('has no figure when nobody answered, rather than a zero', () => {
    expect(npsFigure({ promoters: 0, passives: 0, detractors: 0 })).toBeNull();
  });

  it('clips the interval to −100…100', () => {
    const f = npsFigure({ promoters: 3, passives: 0, detractors: 0 })!;
    expect(f.value).toBe(100);
    expect(f.high).toBeLessThanOrEqual(100);
    expect(f.low).toBeGreaterThanOrEqual(-100);
  });

  it('calls a change significant only when it exceeds 1.96 combined standard errors', () => {
    const before = npsFigure({ promoters: 1, passives: 4, detractors: 7 })!;
    const after = npsFigure({ promoters: 5, passives: 5, detractors: 2 })!;
    const big = npsChange(before, after);
    expect(big.delta).toBeCloseTo(60, 4);
    expect(big.significant).toBe(true);
    const small = npsChange(after, npsFigure({ promoters: 6, passives: 4, detractors: 2 })!);
    expect(small.significant).toBe(false);
  });
});
