import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { WEEKDAYS, type Cadence } from '../domain/cadence.js';
import { DIMENSIONS, SIDES } from '../domain/dimension.js';
import { DEFAULT_PRIVACY_THRESHOLD } from '../domain/privacy.js';
import { DEFAULT_WINDOW_WEEKS } from '../domain/window.js';

/** Ids end up in queue job ids and Slack button values, so they are kept plain. */
const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/i, 'must be letters, digits, - or _')
  .refine((s) => !s.includes('--'), 'must not contain "--" (Rapport joins ids with it)');

const timezone = z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin');

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date yyyy-mm-dd')
  .refine(isRealDate, 'must be a real date');

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM (24-hour)');

const every = z
  .string()
  .regex(/^\s*(\d+\s+)?(week|weeks|month|months)\s*$/, 'must look like "2 weeks" or "1 month"');

export const ROLES = [
  'executive',
  'relationship_manager',
  'governance_lead',
  'stakeholder',
  'admin',
] as const;

const cadence = z.strictObject({
  every: every.default('1 week'),
  on: z.enum(WEEKDAYS).optional(),
  day: z.number().int().min(1).max(31).optional(),
  nth: z.union([z.number().int().min(1).max(5), z.literal('last')]).optional(),
  at: clock,
  startsOn: isoDate,
});

const person = z
  .strictObject({
    id,
    name: z.string().min(1).optional(),
    side: z.enum(SIDES),
    roles: z.array(z.enum(ROLES)).min(1).default(['stakeholder']),
    timezone: timezone.optional(),
    slack: z.strictObject({ team: z.string().min(1), user: z.string().min(1) }).optional(),
    teams: z.strictObject({ tenant: z.string().min(1), user: z.string().min(1) }).optional(),
  })
  .refine((p) => p.slack || p.teams, 'needs a slack or a teams identity');

const milestone = z.strictObject({ id, title: z.string().min(1), due: isoDate });

const action = z.strictObject({
  id,
  title: z.string().min(1),
  dimension: z.enum(DIMENSIONS),
  owners: z.array(id).min(1),
  milestones: z.array(milestone).default([]),
});

const quietHours = z.strictObject({
  from: clock.optional(),
  to: clock.optional(),
  weekends: z.boolean().default(false),
});

const closesAfter = z
  .string()
  .regex(/^\s*\d+\s+days?\s*$/, 'must look like "3 days"')
  .transform((s) => Number(/\d+/.exec(s)?.[0]))
  .refine((n) => n >= 1 && n <= 28, 'must be 1 to 28 days');

const engagementFields = z.strictObject({
  id,
  name: z.string().min(1),
  client: z.string().min(1),
  provider: z.string().min(1),
  timezone,
  cadence,
  questionsPerPulse: z.number().int().min(1).max(7).default(3),
  reminders: z.number().int().min(0).max(2).default(1),
  closesAfterDays: z.number().int().min(1).max(28).default(3),
  /** `closesAfter: 3 days`; wins over `closesAfterDays` when both are given. */
  closesAfter: closesAfter.optional(),
  /** Pauses the whole engagement; absent leaves a pause set from the CLI as it is. */
  paused: z.boolean().optional(),
  privacyThreshold: z.number().int().min(1).default(DEFAULT_PRIVACY_THRESHOLD),
  windowWeeks: z.number().int().min(1).max(104).default(DEFAULT_WINDOW_WEEKS),
  quietHours: quietHours.optional(),
  people: z.array(person).default([]),
  actions: z.array(action).default([]),
});

const engagement = engagementFields.superRefine(checkReferences);

export const engagementFileSchema = z
  .strictObject({ engagements: z.array(engagement).min(1) })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.engagements.forEach((e, i) => {
      if (seen.has(e.id)) {
        ctx.addIssue({ code: 'custom', path: ['engagements', i, 'id'], message: 'repeats' });
      }
      seen.add(e.id);
    });
  });

export type EngagementFile = z.infer<typeof engagementFileSchema>;
export type EngagementConfig = EngagementFile['engagements'][number];
export type PersonConfig = EngagementConfig['people'][number];
export type Role = (typeof ROLES)[number];

/** Whether `yyyy-mm-dd` names a day that exists (no 30 February). */
export function isRealDate(s: string): boolean {
  const t = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === s;
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function checkReferences(config: z.infer<typeof engagementFields>, ctx: z.RefinementCtx): void {
  const ids = new Set<string>();
  config.people.forEach((p, i) => {
    if (ids.has(p.id)) {
      ctx.addIssue({ code: 'custom', path: ['people', i, 'id'], message: 'repeats' });
    }
    ids.add(p.id);
  });
  const milestoneIds = new Set<string>();
  config.actions.forEach((a, i) => {
    a.milestones.forEach((m, j) => {
      if (milestoneIds.has(m.id)) {
        const path = ['actions', i, 'milestones', j, 'id'];
        ctx.addIssue({ code: 'custom', path, message: 'repeats within the engagement' });
      }
      milestoneIds.add(m.id);
    });
    a.owners.forEach((o, j) => {
      if (!ids.has(o)) {
        const path = ['actions', i, 'owners', j];
        ctx.addIssue({ code: 'custom', path, message: 'no such person' });
      }
    });
  });
}

/** Turns the file's cadence into the domain's. */
export function toCadence(c: EngagementConfig['cadence']): Cadence {
  const match = /^\s*(\d+)?\s*(week|month)/.exec(c.every);
  return {
    unit: match?.[2] === 'month' ? 'month' : 'week',
    every: Number(match?.[1] ?? 1),
    on: c.on,
    day: c.day,
    nth: c.nth,
    at: c.at,
    startsOn: c.startsOn,
  };
}

/** An engagement file that failed validation; each line names a path inside the file. */
export class EngagementFileError extends Error {
  readonly code = 'ENGAGEMENT_FILE_INVALID';

  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.join('; ')}`);
  }
}

/** Formats a zod path as `engagements[1].people[0].side`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i ? '.' : ''}${String(part)}`))
    .join('');
}

/** Parses and validates engagement YAML text. */
export function parseEngagementFile(text: string, file = 'engagement file'): EngagementFile {
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new EngagementFileError(
      file,
      doc.errors.map((e) => `YAML: ${e.message.split('\n')[0]}`),
    );
  }
  const parsed = engagementFileSchema.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;
  throw new EngagementFileError(
    file,
    parsed.error.issues.map((i) => `${formatPath(i.path) || '(top)'}: ${i.message}`),
  );
}

export async function readEngagementFile(path: string): Promise<EngagementFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new EngagementFileError(path, [`cannot read: ${(err as NodeJS.ErrnoException).code}`]);
  }
  return parseEngagementFile(text, path);
}
