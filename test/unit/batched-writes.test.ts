import { describe, expect, it } from 'vitest';
import { mergeUpdates } from '../../src/store/batched-writes.js';

const empty = { inc: {}, set: {}, unset: [], max: {}, setOnInsert: {} };

describe('merged document updates', () => {
  it('add up amounts per document and drop the ones that cancel out', () => {
    expect(
      mergeUpdates([
        { collection: 'c', id: 'a', inc: { n: 1, 'people.x': 1 } },
        { collection: 'c', id: 'b', inc: { n: 2 } },
        { collection: 'd', id: 'a', inc: { n: 5 } },
        { collection: 'c', id: 'a', inc: { n: 1, 'people.x': -1 } },
      ]),
    ).toEqual([
      { ...empty, collection: 'c', id: 'a', inc: { n: 2 } },
      { ...empty, collection: 'c', id: 'b', inc: { n: 2 } },
      { ...empty, collection: 'd', id: 'a', inc: { n: 5 } },
    ]);
  });

  it('keep the latest time, the last value set and the first values of a new document', () => {
    const [early, late] = [new Date('2026-03-02T10:00:00Z'), new Date('2026-03-02T11:00:00Z')];
    expect(
      mergeUpdates([
        { collection: 'c', id: 'a', max: { t: late }, set: { s: 1 }, setOnInsert: { w: 'w1' } },
        { collection: 'c', id: 'a', max: { t: early }, set: { s: 2 }, setOnInsert: { w: 'w2' } },
      ]),
    ).toEqual([
      {
        ...empty,
        collection: 'c',
        id: 'a',
        max: { t: late },
        set: { s: 2 },
        setOnInsert: { w: 'w1' },
      },
    ]);
  });

  it('let the later of a set and an unset of one field win', () => {
    expect(
      mergeUpdates([
        { collection: 'c', id: 'a', set: { x: 1, y: 1 } },
        { collection: 'c', id: 'a', unset: ['x'] },
        { collection: 'c', id: 'b', unset: ['x'] },
        { collection: 'c', id: 'b', set: { x: 2 } },
      ]),
    ).toEqual([
      { ...empty, collection: 'c', id: 'a', set: { y: 1 }, unset: ['x'] },
      { ...empty, collection: 'c', id: 'b', set: { x: 2 } },
    ]);
  });
});
