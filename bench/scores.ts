/**
 * Benchmark of the scores read and write paths against the server at MONGODB_URI (default the
 * local one), in two databases of its own that it drops at the end. Run by hand:
 *
 *   npx tsx bench/scores.ts [--total 1000000] [--sample 1000] [--runs 5]
 *
 * 1. Answers stored per second through the real write path (upsertAnswer: answer + roll-up
 *    upkeep, timed until the roll-ups hold every answer) against plain insertOne of the same
 *    documents into a collection of the same server, by one writer and by 16 writers at once;
 *    goal ratio ≥ 0.5.
 * 2. Time to read one engagement's scores (scoresOf) from a database holding its 1,000 answers
 *    and from one holding the same plus other engagements' answers up to `--total` (with their
 *    roll-ups and ledgers computed by the same code as `scores rebuild`), read in turn, for now,
 *    with the change against the previous window, and as of 12 hours ago; goal ratio ≤ 1.5.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { addMinutes, subHours, subWeeks } from 'date-fns';
import { openRuntime, type Runtime } from '../src/app.js';
import { loadEnv } from '../src/config/env.js';
import { DIMENSIONS, scaleOf, type Dimension, type Side } from '../src/domain/dimension.js';
import { rollingWindow } from '../src/domain/window.js';
import { cellsOfAnswers, ledgersOfAnswers } from '../src/domain/rollup.js';
import { createLogger } from '../src/logger.js';
import { answerIdOf, upsertAnswer, type AnswerInput } from '../src/services/answers.js';
import {
  answerCollection,
  countedOf,
  ledgerCollection,
  rollupCollection,
  rollupsSettled,
  talliesFromRollups,
} from '../src/services/rollups.js';
import { scoresOf } from '../src/services/scores.js';

const { values } = parseArgs({
  options: {
    total: { type: 'string', default: '1000000' },
    sample: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '5' },
  },
});
const TOTAL = Number(values.total);
const SAMPLE = Number(values.sample);
const RUNS = Number(values.runs);
const TZ = 'Europe/Berlin';
const NOW = new Date('2026-06-10T12:00:00Z');
const PER_ENGAGEMENT = 1000;
const SETTLE_MS = 30_000;
/** Writers at once in the write test: one alone, and a burst as when a pulse goes out. */
const WIDTHS = [1, 16];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Deterministic pseudo-random numbers, so runs store the same answers. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => (x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** `count` answers of one engagement: 20 people a side, weekly pulses back from NOW. */
function answersOf(engagementId: string, count: number, seed: number): AnswerInput[] {
  const rand = rng(seed);
  const out: AnswerInput[] = [];
  for (let i = 0; out.length < count; i++) {
    const side: Side = i % 2 ? 'client' : 'provider';
    const person = `${side[0]}${(i >> 1) % 20}`;
    const week = Math.floor(i / 120);
    const dimension = DIMENSIONS[(i + week) % DIMENSIONS.length] as Dimension;
    const scale = scaleOf(dimension);
    const score = scale === 'nps' ? Math.floor(rand() * 11) : 1 + Math.floor(rand() * 5);
    const answeredAt = addMinutes(subWeeks(NOW, week), -Math.floor(rand() * 2000) - 1);
    out.push({
      engagementId,
      pulseId: `${engagementId}--w${week}--${i % 3}`,
      questionId: dimension,
      personId: person,
      side,
      dimension,
      scale,
      score,
      answeredAt,
      source: 'import',
    });
  }
  return out;
}

async function addEngagement(rt: Runtime, id: string) {
  await rt.ctx.store.engagements.updateOne(
    { _id: id },
    {
      $set: {
        name: id,
        client: 'C',
        provider: 'P',
        timezone: TZ,
        cadence: { unit: 'week', every: 1, at: '09:00', startsOn: '2024-01-01' },
        questionsPerPulse: 3,
        reminders: 1,
        closesAfterDays: 3,
        privacyThreshold: 3,
        windowWeeks: 13,
      },
    },
    { upsert: true },
  );
}

/** Stores answers and their roll-ups in bulk, as `scores rebuild` would compute them. */
async function bulkFill(rt: Runtime, answers: AnswerInput[]) {
  const now = new Date();
  const docs = answers.map((a) => ({ _id: answerIdOf(a), ...a, createdAt: now, updatedAt: now }));
  for (let i = 0; i < docs.length; i += 1000) {
    await answerCollection(rt.ctx.store).insertMany(docs.slice(i, i + 1000), { ordered: false });
  }
  const counted = docs.map((d) => ({ ...countedOf(d, TZ), id: d._id }));
  await rollupCollection(rt.ctx.store).insertMany(cellsOfAnswers(counted));
  await ledgerCollection(rt.ctx.store).insertMany(ledgersOfAnswers(counted));
}

/** The three reads timed: the scores, with the change, and the roll-up lookups alone. */
const READS = {
  scores: (rt: Runtime) => scoresOf(rt.ctx.store, 'target', NOW),
  change: (rt: Runtime) =>
    scoresOf(rt.ctx.store, 'target', NOW, new Date(rollingWindow(NOW, TZ).start.getTime() - 1)),
  rollups: (rt: Runtime) => talliesFromRollups(rt.ctx.store, 'target', TZ, rollingWindow(NOW, TZ)),
  // A window ending in the past, inside a week with later answers: that week is counted from
  // its ledger, to the second.
  past: (rt: Runtime) => scoresOf(rt.ctx.store, 'target', subHours(NOW, 12)),
};

/**
 * Times each read on the small and the large database in turn, round after round, so that a
 * change in the machine's load falls on both alike. Returns the times per database and read.
 */
async function timeReads(small: Runtime, large: Runtime) {
  const times = {
    small: { scores: [] as number[], change: [] as number[], rollups: [] as number[] },
    large: { scores: [] as number[], change: [] as number[], rollups: [] as number[] },
    pastSmall: [] as number[],
    pastLarge: [] as number[],
  };
  for (let i = 0; i < RUNS * 4; i++) {
    if (i < RUNS) {
      for (const [list, rt] of [
        [times.pastSmall, small],
        [times.pastLarge, large],
      ] as const) {
        const t = performance.now();
        await READS.past(rt);
        list.push(performance.now() - t);
      }
    }
    for (const name of ['scores', 'change', 'rollups'] as const) {
      for (const [which, rt] of [
        ['small', small],
        ['large', large],
      ] as const) {
        const t = performance.now();
        const result = await READS[name](rt);
        times[which][name].push(performance.now() - t);
        if (!result) throw new Error('no scores read');
      }
    }
  }
  return times;
}

/** Fails the benchmark unless the engagement's roll-ups count exactly `expected` answers. */
async function checkCounted(rt: Runtime, engagementId: string, expected: number) {
  const cells = await rollupCollection(rt.ctx.store).find({ engagementId }).toArray();
  const counted = cells.reduce(
    (n, c) => n + (c.promoters ?? 0) + (c.passives ?? 0) + (c.detractors ?? 0) + (c.count ?? 0),
    0,
  );
  if (counted !== expected) throw new Error(`roll-ups count ${counted}, expected ${expected}`);
}

/** Runs `task` over `items` with at most `width` of them under way at once. */
async function inParallel<T>(items: T[], width: number, task: (item: T) => Promise<unknown>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: width }, lane));
}

async function writeRates(rt: Runtime, width: number) {
  // The plain collection gets the answers collection's indexes, so the ratio isolates upkeep.
  const plain = rt.ctx.store.connection.collection('plain_answers');
  await plain.createIndex({ pulseId: 1, questionId: 1, personId: 1 }, { unique: true });
  await plain.createIndex({ engagementId: 1, answeredAt: 1 });
  const ratios: number[] = [];
  const upkeep: number[] = [];
  const inserts: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const id = `write-${width}-${run}`;
    await addEngagement(rt, id);
    const sample = answersOf(id, SAMPLE, 1000 + run);
    const docs = sample.map((a) => ({ _id: answerIdOf(a), ...a, createdAt: NOW, updatedAt: NOW }));
    let t = performance.now();
    await inParallel(docs, width, (d) => plain.insertOne(d as never));
    const plainRate = SAMPLE / ((performance.now() - t) / 1000);
    t = performance.now();
    await inParallel(sample, width, (a) => upsertAnswer(rt.ctx, a));
    // The roll-ups are written behind the answers: the clock stops when they hold them all.
    await rollupsSettled(rt.ctx.store, id);
    const upkeepRate = SAMPLE / ((performance.now() - t) / 1000);
    await checkCounted(rt, id, SAMPLE);
    inserts.push(plainRate);
    upkeep.push(upkeepRate);
    ratios.push(upkeepRate / plainRate);
    console.log(
      `  ${width} at once, run ${run + 1}: plain ${plainRate.toFixed(0)}/s, ` +
        `with roll-ups ${upkeepRate.toFixed(0)}/s`,
    );
    await plain.deleteMany({});
  }
  return { inserts: median(inserts), upkeep: median(upkeep), ratio: median(ratios) };
}

async function openBenchRuntime(): Promise<Runtime> {
  const base = new URL(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/rapport');
  base.pathname = `/rapport_bench_${randomBytes(4).toString('hex')}`;
  const env = loadEnv({
    MONGODB_URI: base.toString(),
    RAPPORT_QUEUE_PREFIX: `bench${randomBytes(3).toString('hex')}`,
    LOG_LEVEL: 'silent',
  });
  const rt = await openRuntime(env, createLogger('silent'), true);
  rt.ctx.now = () => NOW;
  return rt;
}

async function dispose(rt: Runtime) {
  await rt.ctx.store.connection.dropDatabase();
  await rt.ctx.jobs.queue.obliterate({ force: true });
  await rt.close();
}

async function main() {
  // Two databases on the same server: one holds the target engagement's 1,000 answers, the
  // other the same answers and enough of other engagements' to make `--total`.
  const small = await openBenchRuntime();
  const large = await openBenchRuntime();
  console.log(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
  try {
    console.log(`write path, ${SAMPLE} answers a run, ${RUNS} runs:`);
    const writes = [];
    for (const width of WIDTHS) writes.push({ width, ...(await writeRates(small, width)) });
    await answerCollection(small.ctx.store).deleteMany({});
    await rollupCollection(small.ctx.store).deleteMany({});

    for (const rt of [small, large]) {
      await addEngagement(rt, 'target');
      await bulkFill(rt, answersOf('target', PER_ENGAGEMENT, 7));
    }
    let stored = PER_ENGAGEMENT;
    const started = performance.now();
    for (let e = 0; stored < TOTAL; e++) {
      const id = `other-${e}`;
      const n = Math.min(PER_ENGAGEMENT * 10, TOTAL - stored);
      await addEngagement(large, id);
      await bulkFill(large, answersOf(id, n, e + 11));
      stored += n;
      if (e % 10 === 0) {
        const s = ((performance.now() - started) / 1000).toFixed(0);
        console.log(`  filled ${stored} answers (${s} s)`);
      }
    }
    // Let the server finish writing the fill (SQLite checkpoints) before timing reads.
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const count = await answerCollection(large.ctx.store).estimatedDocumentCount();
    const t = await timeReads(small, large);

    console.log(`\nresults (medians of ${RUNS * 4} reads each, small and large in turn):`);
    for (const [name, label] of [
      ['scores', 'read scores'],
      ['change', 'read scores with the change against the previous window'],
      ['rollups', 'roll-up lookups alone'],
    ] as const) {
      const [a, b] = [median(t.small[name]), median(t.large[name])];
      console.log(
        `  ${label}: ${a.toFixed(1)} ms at ${PER_ENGAGEMENT} answers, ` +
          `${b.toFixed(1)} ms at ${count} answers, ratio ${(b / a).toFixed(2)}` +
          (name === 'scores' ? ' (goal ≤ 1.5)' : ''),
      );
    }
    const [ps, pl] = [median(t.pastSmall), median(t.pastLarge)];
    console.log(
      `  read scores as of 12 h ago (mid-week, medians of ${RUNS}): ${ps.toFixed(1)} ms and ` +
        `${pl.toFixed(1)} ms, ratio ${(pl / ps).toFixed(2)}`,
    );
    for (const w of writes) {
      console.log(`  ${w.width} writer(s) at once:`);
      console.log(`    plain inserts: ${w.inserts.toFixed(0)} answers/s`);
      console.log(`    with roll-up upkeep: ${w.upkeep.toFixed(0)} answers/s`);
      console.log(`    write ratio: ${w.ratio.toFixed(2)} (goal ≥ 0.5)`);
    }
  } finally {
    await dispose(small);
    await dispose(large);
  }
}

await main();
