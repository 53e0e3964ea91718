import { MongoClient, ObjectId, type AnyBulkWriteOperation, type Collection } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedEnv } from '../support/test-env.js';

interface Row {
  _id: string | ObjectId | number;
  n: number;
  state?: string;
}

/** `p0000`, `p0001`, …: string ids that sort in insertion order. */
const pid = (n: number) => `p${String(n).padStart(4, '0')}`;

describe('reading and writing documents by _id', () => {
  let client: MongoClient;
  let collections = 0;

  beforeAll(async () => {
    client = await new MongoClient(isolatedEnv().MONGODB_URI).connect();
  });
  afterAll(async () => {
    await client.db().dropDatabase();
    await client.close();
  });

  /** A collection of the test's own, holding `rows`. */
  async function collectionOf(rows: Row[]): Promise<Collection<Row>> {
    collections += 1;
    const collection = client.db().collection<Row>(`rows_${collections}`);
    if (rows.length > 0) await collection.insertMany(rows);
    return collection;
  }

  const numbered = (count: number): Row[] =>
    Array.from({ length: count }, (_, n) => ({ _id: pid(n), n }));

  const found = (collection: Collection<Row>, filter: object) =>
    collection.find(filter).sort({ n: 1 }).toArray();

  it('finds exactly the documents whose string ids are listed', async () => {
    const rows = await collectionOf(numbered(20));
    const docs = await found(rows, { _id: { $in: [pid(17), pid(3), pid(11)] } });
    expect(docs).toEqual([
      { _id: pid(3), n: 3 },
      { _id: pid(11), n: 11 },
      { _id: pid(17), n: 17 },
    ]);
  });

  it('finds exactly the documents whose ObjectIds are listed', async () => {
    const ids = Array.from({ length: 10 }, () => new ObjectId());
    const rows = await collectionOf(ids.map((_id, n) => ({ _id, n })));
    const docs = await found(rows, { _id: { $in: [ids[8], ids[0], ids[5]] } });
    expect(docs.map((doc) => [String(doc._id), doc.n])).toEqual([
      [ids[0]?.toHexString(), 0],
      [ids[5]?.toHexString(), 5],
      [ids[8]?.toHexString(), 8],
    ]);
    expect(docs.every((doc) => doc._id instanceof ObjectId)).toBe(true);
  });

  it('finds the listed documents when the ids mix strings, ObjectIds and numbers', async () => {
    const oid = new ObjectId();
    const rows = await collectionOf([
      { _id: 'a', n: 0 },
      { _id: oid, n: 1 },
      { _id: 7, n: 2 },
      { _id: 8, n: 3 },
      { _id: '7', n: 4 },
    ]);
    const docs = await found(rows, { _id: { $in: ['a', oid, 7] } });
    expect(docs).toEqual([
      { _id: 'a', n: 0 },
      { _id: oid, n: 1 },
      { _id: 7, n: 2 },
    ]);
  });

  it('finds nothing for an empty $in, and counts, updates and deletes nothing', async () => {
    const rows = await collectionOf(numbered(5));
    const none = { _id: { $in: [] } };
    expect(await found(rows, none)).toEqual([]);
    expect(await rows.countDocuments(none)).toBe(0);
    expect((await rows.updateMany(none, { $set: { state: 'x' } })).matchedCount).toBe(0);
    expect((await rows.deleteMany(none)).deletedCount).toBe(0);
    expect(await rows.countDocuments({ state: { $exists: false } })).toBe(5);
  });

  it('skips listed ids that no document has', async () => {
    const rows = await collectionOf(numbered(5));
    const docs = await found(rows, { _id: { $in: ['nope', pid(1), new ObjectId(), pid(1)] } });
    expect(docs).toEqual([{ _id: pid(1), n: 1 }]);
    expect(await found(rows, { _id: { $in: ['nope', pid(99), new ObjectId()] } })).toEqual([]);
  });

  it('does not match a string id to an ObjectId with the same hex, nor the reverse', async () => {
    // FerretDB's SQLite index keys both as the same hex text, so one collection cannot hold a
    // string id and an ObjectId with the same hex; the string here is another ObjectId's hex.
    const oid = new ObjectId();
    const hex = new ObjectId().toHexString();
    const rows = await collectionOf([
      { _id: oid, n: 0 },
      { _id: hex, n: 1 },
    ]);
    expect(await found(rows, { _id: { $in: [oid.toHexString()] } })).toEqual([]);
    expect(await found(rows, { _id: { $in: [new ObjectId(hex)] } })).toEqual([]);
    expect(await found(rows, { _id: { $in: [oid, hex] } })).toHaveLength(2);
  });

  it('applies the other conditions of a filter beside _id $in', async () => {
    const states = ['open', 'closed', 'open', 'open', 'closed', 'open'];
    const rows = await collectionOf(states.map((state, n) => ({ _id: pid(n), n, state })));
    const listed = [pid(0), pid(1), pid(3), pid(4), 'nope'];
    const docs = await found(rows, { _id: { $in: listed }, state: 'open' });
    expect(docs).toEqual([
      { _id: pid(0), n: 0, state: 'open' },
      { _id: pid(3), n: 3, state: 'open' },
    ]);
  });

  it('updates and deletes exactly the documents whose ids are listed', async () => {
    const rows = await collectionOf(numbered(10));
    const updated = await rows.updateMany(
      { _id: { $in: [pid(2), pid(4), 'nope'] } },
      { $set: { state: 'x' } },
    );
    expect(updated).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    expect((await found(rows, { state: 'x' })).map((doc) => doc._id)).toEqual([pid(2), pid(4)]);

    const deleted = await rows.deleteMany({ _id: { $in: [pid(4), pid(6), new ObjectId()] } });
    expect(deleted.deletedCount).toBe(2);
    const left = (await found(rows, {})).map((doc) => doc.n);
    expect(left).toEqual([0, 1, 2, 3, 5, 7, 8, 9]);
  });

  it('finds the listed documents among 1,000 ids and among more than 1,000', async () => {
    const rows = await collectionOf(numbered(1500));
    const odd = Array.from({ length: 750 }, (_, i) => i * 2 + 1);
    const missing = Array.from({ length: 250 }, (_, i) => `nope${i}`);
    const thousand = [...odd.map(pid), ...missing];
    expect((await found(rows, { _id: { $in: thousand } })).map((doc) => doc.n)).toEqual(odd);

    const many = Array.from({ length: 1200 }, (_, i) => pid(i + 200));
    const docs = await found(rows, { _id: { $in: [...many, ...missing] } });
    expect(docs.map((doc) => doc._id)).toEqual(many);
    expect(docs.every((doc) => doc._id === pid(doc.n))).toBe(true);
  });

  it('completes four concurrent bulk writes of 50 updates by _id each', async () => {
    // Together the four hold more statements than FerretDB has pooled SQLite connections (100),
    // which deadlocked its update handler while each statement kept its rows open.
    const rows = await collectionOf(numbered(200));
    const batch = (b: number): AnyBulkWriteOperation<Row>[] =>
      Array.from({ length: 50 }, (_, i) => ({
        updateOne: {
          filter: { _id: pid(b * 50 + i) },
          update: { $set: { state: `batch ${b}` }, $inc: { n: 1000 } },
        },
      }));
    const results = await Promise.all(
      [0, 1, 2, 3].map((b) => rows.bulkWrite(batch(b), { ordered: false })),
    );
    for (const result of results) {
      expect(result).toMatchObject({ matchedCount: 50, modifiedCount: 50 });
    }
    const docs = await found(rows, {});
    expect(docs).toHaveLength(200);
    docs.forEach((doc, n) => {
      expect(doc).toEqual({ _id: pid(n), n: n + 1000, state: `batch ${Math.floor(n / 50)}` });
    });
  }, 30_000);

  it('applies the statements of one bulk write in order, whatever they filter on', async () => {
    // `_id` updates are written together; a later statement must still see the earlier ones.
    const rows = await collectionOf(numbered(6));
    const result = await rows.bulkWrite(
      [
        { updateOne: { filter: { _id: pid(0) }, update: { $inc: { n: 10 } } } },
        { updateOne: { filter: { _id: pid(0) }, update: { $inc: { n: 10 } } } },
        { updateOne: { filter: { _id: pid(1) }, update: { $set: { state: 'marked' } } } },
        { updateMany: { filter: { state: 'marked' }, update: { $inc: { n: 100 } } } },
        { updateOne: { filter: { _id: pid(2) }, update: { $set: { state: 'late' } } } },
        {
          updateOne: {
            filter: { _id: pid(9) },
            update: { $set: { n: 9, state: 'new' } },
            upsert: true,
          },
        },
        { updateOne: { filter: { _id: pid(9) }, update: { $inc: { n: 1 } } } },
        { updateOne: { filter: { n: 2, state: 'late' }, update: { $inc: { n: 1000 } } } },
      ] as AnyBulkWriteOperation<Row>[],
      { ordered: false },
    );
    expect(result).toMatchObject({ matchedCount: 7, modifiedCount: 7, upsertedCount: 1 });
    expect(await found(rows, {})).toEqual([
      { _id: pid(3), n: 3 },
      { _id: pid(4), n: 4 },
      { _id: pid(5), n: 5 },
      { _id: pid(9), n: 10, state: 'new' },
      { _id: pid(0), n: 20 },
      { _id: pid(1), n: 101, state: 'marked' },
      { _id: pid(2), n: 1002, state: 'late' },
    ]);
  });

  it('refuses an update by _id that breaks a unique index, and keeps the index whole', async () => {
    // MongoDB writes the other statements and reports this one; FerretDB fails the command.
    const rows = await collectionOf(numbered(3));
    await rows.createIndex({ n: 1 }, { unique: true });
    await expect(
      rows.bulkWrite(
        [
          { updateOne: { filter: { _id: pid(0) }, update: { $set: { state: 'first' } } } },
          { updateOne: { filter: { _id: pid(1) }, update: { $set: { n: 2 } } } },
        ],
        { ordered: false },
      ),
    ).rejects.toThrow();
    expect(await rows.findOne({ _id: pid(1) })).toEqual({ _id: pid(1), n: 1 });
    expect((await found(rows, {})).map((doc) => doc.n)).toEqual([0, 1, 2]);
  });
});
