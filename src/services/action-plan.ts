import { isRealDate } from '../config/engagement-file.js';
import { z } from 'zod';
import type { EngagementConfig } from '../config/engagement-file.js';
import { dateIn } from '../domain/cadence.js';
import { DIMENSIONS, type Dimension } from '../domain/dimension.js';
import { daysLate, milestoneStatus, type MilestoneStatus } from '../domain/milestone.js';
import { UserError } from '../errors.js';
import { isDuplicateKey, upsertRacing, type MilestoneDoc, type Store } from '../store/store.js';

const planId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/i, 'must be letters, digits, - or _');

/** A calendar date `yyyy-mm-dd` that exists (JavaScript's own parser takes 2026-02-30). */
export const isoDate = z
  .string({ error: 'is required' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date yyyy-mm-dd')
  .refine(isRealDate, 'must be a real date');

/** What `rapport actions add` and the chat form submit. */
export const newActionSchema = z.strictObject({
  id: planId.optional(),
  title: z.string().trim().min(1, 'is required'),
  dimension: z.enum(DIMENSIONS, { error: `must be one of ${DIMENSIONS.join(', ')}` }),
  owners: z.array(planId).min(1, 'needs at least one person id'),
  milestones: z
    .array(
      z.strictObject({
        id: planId.optional(),
        title: z.string().trim().min(1, 'is required'),
        due: isoDate,
      }),
    )
    .default([]),
});
/** An action item as typed in; checked against `newActionSchema` before anything is stored. */
export interface NewAction {
  id?: string;
  title: string;
  dimension: string;
  owners: string[];
  milestones?: { id?: string; title: string; due: string }[];
}

/** Raises the first problem of a zod parse as a one-line UserError naming the field. */
export function parseOrExplain<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') || 'input';
  throw new UserError(`${field}: ${issue?.message ?? 'invalid'}`);
}

export function milestoneKey(engagementId: string, milestoneId: string): string {
  return `${engagementId}--${milestoneId}`;
}

function slug(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s.slice(0, 40) || 'action';
}

async function requireEngagement(store: Store, engagementId: string) {
  const engagement = await store.engagements.findById(engagementId).lean();
  if (!engagement) throw new UserError(`engagement: no engagement "${engagementId}"`);
  return engagement;
}

/** Upserts one milestone; a stored one keeps its state and history. */
async function upsertMilestone(
  store: Store,
  engagementId: string,
  actionId: string,
  m: { id: string; title: string; due: string },
  /** Set when the milestone comes from the engagement file: when it is imported. */
  file: { now: Date } | null,
): Promise<void> {
  const fromFile = file !== null;
  const _id = milestoneKey(engagementId, m.id);
  const existing = await store.milestones.findById(_id).lean();
  if (!existing) {
    try {
      await store.milestones.create({
        _id,
        engagementId,
        actionId,
        milestoneId: m.id,
        title: m.title,
        due: m.due,
        originalDue: m.due,
        fileDue: fromFile ? m.due : null,
        state: 'open',
      });
      return;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  const set: Record<string, unknown> = { title: m.title, actionId };
  if (fromFile) set.fileDue = m.due;
  const filter: Record<string, unknown> = { _id };
  const update: Record<string, unknown> = { $set: set };
  // A date changed in the file is a re-plan, kept in the history like one made in chat.
  if (fromFile && existing && existing.fileDue !== m.due && existing.due !== m.due) {
    if (existing.state === 'open') {
      set.due = m.due;
      filter.due = existing.due;
      const entry = { from: existing.due, to: m.due, reason: 'changed in the engagement file' };
      update.$push = { replans: { ...entry, by: 'engagement file', at: file.now } };
    }
  }
  await store.milestones.updateOne(filter, update, { timestamps: false });
}

/**
 * Brings an engagement's action plan in line with its file: items and milestones are created
 * or their titles, dimensions and owners updated. A milestone keeps its state and re-plan
 * history across imports; a due date changed in the file counts as a re-plan. Items dropped
 * from the file are kept, since their history is part of the follow-through record.
 */
export async function importActions(
  store: Store,
  e: EngagementConfig,
  now: Date,
): Promise<{ items: number; milestones: number }> {
  let milestones = 0;
  for (const a of e.actions) {
    const upsert = () =>
      store.actionItems.updateOne(
        { _id: `${e.id}--${a.id}` },
        {
          $set: { title: a.title, dimension: a.dimension, owners: a.owners },
          $setOnInsert: { engagementId: e.id, actionId: a.id, source: 'file' },
        },
        { upsert: true },
      );
    await upsertRacing(upsert);
    for (const m of a.milestones) {
      await upsertMilestone(store, e.id, a.id, m, { now });
      milestones += 1;
    }
  }
  return { items: e.actions.length, milestones };
}

/**
 * Adds an action item with its milestones, from the CLI or the chat form. Owners must be
 * active people of the engagement; ids default to a slug of the title. Bad input raises a
 * UserError naming the field and stores nothing.
 */
export async function addAction(
  store: Store,
  engagementId: string,
  input: NewAction,
  source: 'cli' | 'chat',
): Promise<{ actionId: string; milestoneIds: string[] }> {
  const action = parseOrExplain(newActionSchema, input);
  await requireEngagement(store, engagementId);
  const people = await store.people
    .find({ engagementId, personId: { $in: action.owners }, active: true })
    .lean();
  const missing = action.owners.find((o) => !people.some((p) => p.personId === o));
  if (missing) throw new UserError(`owners: no active person "${missing}" in ${engagementId}`);
  const actionId = action.id ?? slug(action.title);
  const milestoneIds = action.milestones.map((m, i) => m.id ?? `${actionId}-${i + 1}`);
  if (new Set(milestoneIds).size < milestoneIds.length) {
    throw new UserError('milestones: ids repeat');
  }
  const taken = await store.milestones.exists({ engagementId, milestoneId: { $in: milestoneIds } });
  if (taken) throw new UserError(`milestones: an id is taken already in ${engagementId}`);
  try {
    await store.actionItems.create({
      _id: `${engagementId}--${actionId}`,
      engagementId,
      actionId,
      title: action.title,
      dimension: action.dimension,
      owners: action.owners,
      source,
    });
  } catch (err) {
    if (isDuplicateKey(err)) throw new UserError(`id: action "${actionId}" exists already`);
    throw err;
  }
  for (const [i, m] of action.milestones.entries()) {
    const id = milestoneIds[i]!;
    await upsertMilestone(store, engagementId, actionId, { ...m, id }, null);
  }
  return { actionId, milestoneIds };
}

/** A milestone as people see it, with its derived status and history. */
export interface MilestoneView {
  id: string;
  title: string;
  due: string;
  originalDue: string;
  status: MilestoneStatus;
  timesReplanned: number;
  daysLate: number;
  doneOn: string | null;
  blocked: string | null;
}

export interface ActionView {
  id: string;
  title: string;
  dimension: Dimension;
  owners: { id: string; name: string | null; side: string | null }[];
  milestones: MilestoneView[];
}

/** Shapes a stored milestone for display on the engagement's calendar date `today`. */
export function milestoneView(m: MilestoneDoc, today: string): MilestoneView {
  const state = m.state;
  const last = m.blocks.at(-1);
  return {
    id: m.milestoneId,
    title: m.title,
    due: m.due,
    originalDue: m.originalDue,
    status: milestoneStatus({ state, due: m.due }, today),
    timesReplanned: m.replans.length,
    daysLate: daysLate({ state, originalDue: m.originalDue, doneOn: m.doneOn ?? null }, today),
    doneOn: m.doneOn ?? null,
    blocked: state === 'open' && last?.reason ? last.reason : null,
  };
}

/** The engagement's plan on `now`, items in id order, milestones by due date. */
export async function listActions(
  store: Store,
  engagementId: string,
  now: Date,
): Promise<ActionView[]> {
  const engagement = await requireEngagement(store, engagementId);
  const today = dateIn(now, engagement.timezone);
  const [items, milestones, people] = await Promise.all([
    store.actionItems.find({ engagementId }).sort({ actionId: 1 }).lean(),
    store.milestones.find({ engagementId }).sort({ due: 1, milestoneId: 1 }).lean(),
    store.people.find({ engagementId }).lean(),
  ]);
  return items.map((item) => ({
    id: item.actionId,
    title: item.title,
    dimension: item.dimension,
    owners: item.owners.map((o) => {
      const p = people.find((x) => x.personId === o);
      return { id: o, name: p?.name ?? null, side: p?.side ?? null };
    }),
    milestones: milestones
      .filter((m) => m.actionId === item.actionId)
      .map((m) => milestoneView(m, today)),
  }));
}

/** One milestone as text: `id  title  due D  status (re-planned n×, d days late)`. */
export function milestoneLine(m: MilestoneView): string {
  const notes: string[] = [];
  if (m.timesReplanned > 0) notes.push(`re-planned ${m.timesReplanned}×`);
  if (m.daysLate > 0) notes.push(`${m.daysLate} days late`);
  if (m.blocked) notes.push(`blocked: ${m.blocked}`);
  const extra = notes.length > 0 ? ` (${notes.join(', ')})` : '';
  const done = m.status === 'done' && m.doneOn ? ` on ${m.doneOn}` : '';
  return `${m.id}: ${m.title}, due ${m.due}, ${m.status}${done}${extra}`;
}
