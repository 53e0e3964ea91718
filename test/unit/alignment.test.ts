import { describe, expect, it } from 'vitest';
import { alignmentFigure, indexValue } from '../../src/domain/alignment.js';
import { gapFigure } from '../../src/domain/gap.js';

function sums(scores: number[]) {
  const xs = scores.map(indexValue);
  return {
    count: xs.length,
    sum: xs.reduce((a, b) => a + b, 0),
    sumSquares: xs.reduce((a, b) => a + b * b, 0),
  };
}

describe('alignment index', () => {
  it('maps 1–5 answers onto 0–100', () => {
    expect([1, 2, 3, 4, 5].map(indexValue)).toEqual([0, 25, 50, 75, 100]);
  });

  it('is the mean with ±1.96·sd/√n, sd over n − 1', () => {
    const f = alignmentFigure(sums([2, 3, 4, 4]))!;
    // values 25, 50, 75, 75: mean 56.25, sd 23.936, se 11.968
    expect(f.value).toBeCloseTo(56.25, 6);
    expect(f.high - f.value).toBeCloseTo(1.96 * 11.9678, 2);
  });

  it('reports a gap as significant only when its interval excludes zero', () => {
    const client = alignmentFigure(sums([1, 2, 2, 1, 2, 2]))!;
    const provider = alignmentFigure(sums([4, 5, 4, 4, 5, 4]))!;
    const gap = gapFigure(client, provider);
    expect(gap.value).toBeLessThan(0);
    expect(gap.significant).toBe(true);
    const same = gapFigure(provider, alignmentFigure(sums([4, 4, 5, 4, 5, 4]))!);
    expect(same.significant).toBe(false);
  });
});
