import { describe, expect, it } from 'vitest';
import { DIMENSIONS, type Dimension, type Side } from '../../src/domain/dimension.js';
import {
  cellId,
  cellsOfAnswers,
  changesOf,
  mergeChanges,
  personKey,
  type CellChange,
  type Counted,
  type RollupCell,
} from '../../src/domain/rollup.js';

const KEY = {
  engagementId: 'e1',
  week: '2026-03-02',
  side: 'client',
  dimension: 'advocacy',
} as const;

function answer(over: Partial<Counted> = {}): Counted {
  return {
    engagementId: 'e1',
    week: '2026-03-02',
    side: 'client',
    dimension: 'advocacy',
    personId: 'c1',
    score: 3,
    answeredAt: new Date('2026-03-04T10:00:00Z'),
    ...over,
  };
}

/** Applies changes to in-memory roll-ups the way `$inc` and `$max` apply them to documents. */
function applyTo(cells: Map<string, Record<string, unknown>>, changes: CellChange[]): void {
  for (const c of changes) {
    const id = cellId(c.key);
    const cell = cells.get(id) ?? { _id: id, ...c.key, people: {} };
    for (const [field, v] of Object.entries(c.inc)) {
      const [top, sub] = field.split('.') as [string, string | undefined];
      if (sub === undefined) cell[top] = ((cell[top] as number | undefined) ?? 0) + v;
      else {
        const map = cell[top] as Record<string, number>;
        map[sub] = (map[sub] ?? 0) + v;
      }
    }
    const last = cell.lastAt as Date | undefined;
    if (c.lastAt && (!last || last < c.lastAt)) cell.lastAt = c.lastAt;
    cells.set(id, cell);
  }
}

/** What a roll-up says, leaving out people at 0, zero counters and the latest answer time. */
function meaning(cell: Record<string, unknown> | RollupCell) {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(cell)) {
    if (k === 'lastAt' || v === 0) continue;
    out[k] =
      k === 'people'
        ? Object.fromEntries(Object.entries(v as object).filter(([, n]) => n !== 0))
        : v;
  }
  return out;
}

describe('roll-up changes', () => {
  it('count a first answer once, with its person and time', () => {
    expect(changesOf(null, answer())).toEqual([
      {
        key: KEY,
        inc: { detractors: 1, 'people.c1': 1 },
        lastAt: new Date('2026-03-04T10:00:00Z'),
      },
    ]);
  });

  it('move a replaced answer between bands without counting the person again', () => {
    const [change] = changesOf(answer(), answer({ score: 10 }));
    expect(change?.inc).toEqual({ detractors: -1, promoters: 1 });
  });

  it('change nothing for the same answer written again', () => {
    expect(changesOf(answer(), answer())).toEqual([
      { key: KEY, inc: {}, lastAt: answer().answeredAt },
    ]);
    expect(mergeChanges([])).toEqual([]);
  });

  it('take an answer out of its old week when a replacement lands in the next', () => {
    const moved = answer({ week: '2026-03-09', answeredAt: new Date('2026-03-09T08:00:00Z') });
    const changes = changesOf(answer(), moved);
    expect(changes.map((c) => [c.key.week, c.inc])).toEqual([
      ['2026-03-02', { detractors: -1, 'people.c1': -1 }],
      ['2026-03-09', { detractors: 1, 'people.c1': 1 }],
    ]);
  });

  it('keep the index sums of agreement answers', () => {
    const [change] = changesOf(null, answer({ dimension: 'governance', score: 4 }));
    expect(change?.inc).toEqual({ count: 1, sum: 75, sumSquares: 5625, 'people.c1': 1 });
  });

  it('encode people whose ids cannot be field names', () => {
    expect(personKey('ann.lee$x%')).toBe('ann%2Elee%24x%25');
  });

  it('add up, over any sequence of writes and replacements, to a fresh count', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const stored = new Map<string, Counted>();
    const cells = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < 2000; i++) {
      const dimension = DIMENSIONS[rand(DIMENSIONS.length)] as Dimension;
      const side: Side = rand(2) ? 'client' : 'provider';
      const personId = `${side[0]}${rand(6)}`;
      const key = `${dimension}/${personId}/${rand(4)}`;
      const week = rand(2) ? '2026-03-02' : '2026-03-09';
      const next = answer({
        side,
        dimension,
        personId,
        week,
        score: dimension === 'advocacy' ? rand(11) : 1 + rand(5),
        answeredAt: new Date(Date.UTC(2026, 2, 2) + i * 60_000),
      });
      applyTo(cells, mergeChanges(changesOf(stored.get(key) ?? null, next)));
      stored.set(key, next);
    }
    const fresh = cellsOfAnswers([...stored.values()]);
    const counted = [...cells.values()].filter(
      (c) => Object.keys(meaning(c).people as object).length > 0,
    );
    expect(new Set(fresh.map((c) => c._id))).toEqual(new Set(counted.map((c) => c._id)));
    for (const cell of fresh) expect(meaning(cells.get(cell._id)!)).toEqual(meaning(cell));
  });
});
