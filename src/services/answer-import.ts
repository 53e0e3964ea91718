import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { jobId } from '../../jobs/catalog.js';
import { dateIn } from '../domain/cadence.js';
import { DIMENSIONS, isValidScore, scaleOf, SCALES, SIDES } from '../domain/dimension.js';
import { ErrorCode, UserError } from '../errors.js';
import { answerIdOf, upsertAnswer, type AnswerInput } from './answers.js';
import type { Context } from './context.js';

/** The columns of an answers file, in any order. */
export const ANSWER_COLUMNS = [
  'engagement',
  'answered_at',
  'person',
  'side',
  'dimension',
  'scale',
  'score',
] as const;

/** One bad row of an answers file: its line number in the file and why it is refused. */
export interface BadRow {
  line: number;
  reason: string;
}

/** An answers file with bad rows; nothing of it was imported. */
export class AnswersFileError extends UserError {
  override readonly code = ErrorCode.AnswersFileInvalid;

  constructor(readonly problems: BadRow[]) {
    const n = problems.length;
    super(
      [
        `answers file: ${n} bad row${n === 1 ? '' : 's'}, nothing imported`,
        ...problems.map((p) => `  line ${p.line}: ${p.reason}`),
      ].join('\n'),
    );
  }
}

const plainId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/i, 'must be letters, digits, - or _');

const row = z.object({
  engagement: plainId,
  answered_at: z.iso.datetime({ offset: true }),
  person: plainId,
  side: z.enum(SIDES),
  dimension: z.enum(DIMENSIONS),
  scale: z.enum(SCALES),
  score: z.string().regex(/^\d{1,2}$/, 'must be a whole number'),
});

type Row = z.infer<typeof row>;

interface ParsedRow {
  line: number;
  row: Row;
}

/** The pulse an imported answer belongs to: one per engagement and local calendar date. */
export function importPulseId(engagementId: string, localDate: string): string {
  return jobId('import', engagementId, localDate);
}

function parseRows(text: string): { rows: ParsedRow[]; bad: BadRow[] } {
  const records = parse(text, {
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
  }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  const [header, ...body] = records;
  if (!header) throw new AnswersFileError([{ line: 1, reason: 'the file is empty' }]);
  const columns = header.record;
  const missing = ANSWER_COLUMNS.filter((c) => !columns.includes(c));
  const unknown = columns.filter((c) => !(ANSWER_COLUMNS as readonly string[]).includes(c));
  if (missing.length > 0 || unknown.length > 0) {
    const parts = [
      ...(missing.length ? [`missing column(s) ${missing.join(', ')}`] : []),
      ...(unknown.length ? [`unknown column(s) ${unknown.join(', ')}`] : []),
    ];
    throw new AnswersFileError([{ line: header.info.lines, reason: parts.join('; ') }]);
  }
  const rows: ParsedRow[] = [];
  const bad: BadRow[] = [];
  for (const { record, info } of body) {
    if (record.length !== columns.length) {
      bad.push({
        line: info.lines,
        reason: `has ${record.length} fields, expected ${columns.length}`,
      });
      continue;
    }
    const raw = Object.fromEntries(columns.map((c, i) => [c, record[i]]));
    const parsed = row.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      bad.push({ line: info.lines, reason: `${issue.path.join('.')}: ${issue.message}` });
      continue;
    }
    const r = parsed.data;
    const score = Number(r.score);
    if (r.scale !== scaleOf(r.dimension)) {
      bad.push({
        line: info.lines,
        reason: `scale: ${r.dimension} is asked on ${scaleOf(r.dimension)}`,
      });
    } else if (!isValidScore(r.scale, score)) {
      const range = r.scale === 'nps' ? '0 to 10' : '1 to 5';
      bad.push({ line: info.lines, reason: `score: must be ${range} on the ${r.scale} scale` });
    } else {
      rows.push({ line: info.lines, row: r });
    }
  }
  return { rows, bad };
}

/** Checks rows against the store: engagement, person and side, time, repeats in the file. */
async function answersOf(ctx: Context, rows: ParsedRow[], bad: BadRow[]) {
  const engagements = new Map<string, { timezone: string } | null>();
  const people = new Map<string, Map<string, string>>();
  const seen = new Map<string, number>();
  const answers: AnswerInput[] = [];
  const now = ctx.now();
  for (const { line, row: r } of rows) {
    if (!engagements.has(r.engagement)) {
      const e = await ctx.store.engagements.findById(r.engagement).lean();
      engagements.set(r.engagement, e ? { timezone: e.timezone } : null);
      const found = await ctx.store.people.find({ engagementId: r.engagement }).lean();
      people.set(r.engagement, new Map(found.map((p) => [p.personId, p.side])));
    }
    const engagement = engagements.get(r.engagement);
    const side = people.get(r.engagement)?.get(r.person);
    const answeredAt = new Date(r.answered_at);
    let reason: string | null = null;
    if (!engagement) reason = `engagement: no engagement "${r.engagement}" (import it first)`;
    else if (!side) reason = `person: "${r.person}" is not a person of ${r.engagement}`;
    else if (side !== r.side) reason = `side: ${r.person} is on the ${side} side`;
    else if (answeredAt > now) reason = 'answered_at: is in the future';
    if (reason || !engagement) {
      bad.push({ line, reason: reason ?? 'engagement: unknown' });
      continue;
    }
    const pulseId = importPulseId(r.engagement, dateIn(answeredAt, engagement.timezone));
    const input: AnswerInput = {
      engagementId: r.engagement,
      pulseId,
      questionId: r.dimension,
      personId: r.person,
      side: r.side,
      dimension: r.dimension,
      scale: r.scale,
      score: Number(r.score),
      answeredAt,
      source: 'import',
    };
    const key = answerIdOf(input);
    const first = seen.get(key);
    if (first !== undefined) {
      bad.push({ line, reason: `repeats line ${first}: same person, dimension and local date` });
      continue;
    }
    seen.set(key, line);
    answers.push(input);
  }
  return answers;
}

/** Rows written at the same time by an import. */
const IMPORT_BATCH = 16;

export interface AnswersImportSummary {
  rows: number;
  added: number;
  replaced: number;
  unchanged: number;
}

/**
 * Imports past answers from CSV text with the columns of ANSWER_COLUMNS. Every row is checked
 * first; a file with any bad row is refused whole (AnswersFileError lists each bad row's line
 * and reason). An imported answer's id comes from its engagement, local calendar date,
 * dimension and person, so importing a file again adds nothing; a changed score in a
 * re-imported row replaces the earlier one and moves the roll-ups with it.
 */
export async function importAnswers(ctx: Context, text: string): Promise<AnswersImportSummary> {
  const { rows, bad } = parseRows(text);
  const answers = await answersOf(ctx, rows, bad);
  if (bad.length > 0) throw new AnswersFileError(bad.sort((a, b) => a.line - b.line));
  const summary: AnswersImportSummary = {
    rows: answers.length,
    added: 0,
    replaced: 0,
    unchanged: 0,
  };
  // A few rows at once: their roll-up changes are merged into fewer writes (batched-writes.ts).
  for (let i = 0; i < answers.length; i += IMPORT_BATCH) {
    const batch = answers.slice(i, i + IMPORT_BATCH);
    // All settle before a failure is reported, so none is left running when the import stops.
    const results = await Promise.allSettled(batch.map((input) => upsertAnswer(ctx, input)));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    batch.forEach((input, j) => {
      const previous = (results[j] as PromiseFulfilledResult<number | null>).value;
      if (previous === null) summary.added += 1;
      else if (previous === input.score) summary.unchanged += 1;
      else summary.replaced += 1;
    });
  }
  return summary;
}
