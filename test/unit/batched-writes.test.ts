import { describe, expect, it } from 'vitest';
import { mergeUpdates } from '../../src/store/batched-writes.js';

describe('merged document updates', () => {
  it('add up amounts per document and drop the ones that cancel out', () => {
    expect(
      mergeUpdates([
        { id: 'a', inc: { n: 1, 'people.x': 1 } },
        { id: 'b', inc: { n: 2 } },
        { id: 'a', inc: { n: 1, 'people.x': -1 } },
      ]),
    ).toEqual([
      { id: 'a', inc: { n: 2 }, set: {}, max: {}, setOnInsert: {} },
      { id: 'b', inc: { n: 2 }, set: {}, max: {}, setOnInsert: {} },
    ]);
  });

  it('keep the latest time, the last value set and the first values of a new document', () => {
    const [early, late] = [new Date('2026-03-02T10:00:00Z'), new Date('2026-03-02T11:00:00Z')];
    expect(
      mergeUpdates([
        { id: 'a', max: { lastAt: late }, set: { s: 1 }, setOnInsert: { week: 'w1' } },
        { id: 'a', max: { lastAt: early }, set: { s: 2 }, setOnInsert: { week: 'w2' } },
      ]),
    ).toEqual([
      { id: 'a', inc: {}, max: { lastAt: late }, set: { s: 2 }, setOnInsert: { week: 'w1' } },
    ]);
  });
});
