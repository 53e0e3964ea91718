import mongoose, { type Connection, type InferSchemaType } from 'mongoose';
import {
  actionItemSchema,
  answerSchema,
  deliverySchema,
  engagementSchema,
  milestoneSchema,
  personSchema,
  planNoticeSchema,
  pulseSchema,
  rollupSchema,
} from './schemas.js';

export type EngagementDoc = InferSchemaType<typeof engagementSchema>;
export type PersonDoc = InferSchemaType<typeof personSchema>;
export type PulseDoc = InferSchemaType<typeof pulseSchema>;
export type DeliveryDoc = InferSchemaType<typeof deliverySchema>;
export type AnswerDoc = InferSchemaType<typeof answerSchema>;
export type ActionItemDoc = InferSchemaType<typeof actionItemSchema>;
export type MilestoneDoc = InferSchemaType<typeof milestoneSchema>;
export type RollupDoc = InferSchemaType<typeof rollupSchema>;

function registerModels(connection: Connection) {
  return {
    engagements: connection.model('Engagement', engagementSchema),
    people: connection.model('Person', personSchema),
    pulses: connection.model('Pulse', pulseSchema),
    deliveries: connection.model('Delivery', deliverySchema),
    answers: connection.model('Answer', answerSchema),
    actionItems: connection.model('ActionItem', actionItemSchema),
    milestones: connection.model('Milestone', milestoneSchema),
    planNotices: connection.model('PlanNotice', planNoticeSchema),
    rollups: connection.model('Rollup', rollupSchema),
  };
}

/** The database connection and its models; one per process, or one per test. */
export type Store = { connection: Connection } & ReturnType<typeof registerModels>;

/**
 * Connects to MongoDB (or a compatible server) and makes sure every index exists, since the
 * unique indexes are what keep pulses, deliveries and answers from being stored twice.
 */
export async function openStore(uri: string): Promise<Store> {
  const connection = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: 5000,
    autoIndex: false,
  });
  await connection.asPromise();
  const models = registerModels(connection);
  for (const model of Object.values(models)) {
    await model.createIndexes();
  }
  return { connection, ...models };
}

export async function closeStore(store: Store): Promise<void> {
  await store.connection.close();
}

/** Whether the database answers a ping. */
export async function pingStore(store: Store): Promise<boolean> {
  try {
    await store.connection.db?.command({ ping: 1 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs an upsert, and once more if it lost an insert race on a unique index: two processes
 * upserting the same new key at once both try to insert, and the loser must update instead.
 */
export async function upsertRacing<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return write();
  }
}

/** MongoDB's duplicate-key error, which the unique indexes raise for a repeated write. */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
