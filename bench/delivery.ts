/**
 * Delivery throughput: one pulse to PEOPLE people across ENGAGEMENTS engagements, sent by one
 * `rapport worker` process to a local fake Slack Web API that never limits. Measures the time
 * from the planning jobs being queued (what the daily scheduler does when it fires) to the
 * last chat.postMessage reaching the fake, and the worker's peak resident memory (VmHWM).
 * The baseline is a plain loop, in one process, of the same Web API calls (conversations.open
 * then chat.postMessage with the same blocks), one after another.
 *
 *   npx tsx bench/delivery.ts [--people 10000] [--engagements 100] [--runs 3]
 *
 * Needs Redis and a MongoDB-compatible server (`npm run services`). Time zones are taken as
 * already refreshed this week, as they are on every firing but the first of a week.
 * Each run also prints when the first message arrived and the worker's CPU seconds; with
 * BENCH_DB_PID set to the database server's pid, that server's CPU seconds too. The worker
 * runs RAPPORT_WORKER_CONCURRENCY jobs at once (default 20), and BENCH_WORKER_ARGS go to its
 * node (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createSlackChat } from '../adapters/slack/slack-chat.js';
import { jobId } from '../jobs/catalog.js';
import { openRuntime } from '../src/app.js';
import { loadEnv } from '../src/config/env.js';
import { dateIn, WEEKDAYS } from '../src/domain/cadence.js';
import { createLogger } from '../src/logger.js';
import { questionFor } from '../src/domain/questions.js';
import { FakeSlack } from '../test/support/fake-slack.js';
import { isolatedEnv } from '../test/support/test-env.js';
import { startWorkerProcess } from '../test/support/worker-processes.js';

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '10000' },
    engagements: { type: 'string', default: '100' },
    runs: { type: 'string', default: '3' },
  },
});
const PEOPLE = Number(values.people);
const ENGAGEMENTS = Number(values.engagements);
const RUNS = Number(values.runs);
const PER = Math.ceil(PEOPLE / ENGAGEMENTS);
/** A run that posts nothing for this long has stalled and is given up. */
const STALL_MS = 60_000;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

async function seed(envVars: ReturnType<typeof isolatedEnv>) {
  const rt = await openRuntime(envVars, createLogger('silent'), true);
  const today = dateIn(new Date(), 'UTC');
  const weekday = WEEKDAYS[new Date(`${today}T00:00:00Z`).getUTCDay()];
  const now = new Date();
  for (let e = 0; e < ENGAGEMENTS; e++) {
    const id = `bench-${e}`;
    await rt.ctx.store.engagements.create({
      _id: id,
      name: `Bench ${e}`,
      client: 'Client',
      provider: 'Provider',
      timezone: 'UTC',
      // Far in the future until the measured firing, so booting plans nothing.
      cadence: { unit: 'week', every: 1, on: weekday, at: '00:00', startsOn: '2099-01-05' },
      questionsPerPulse: 3,
      reminders: 1,
      closesAfterDays: 3,
      privacyThreshold: 3,
      windowWeeks: 13,
    });
    const people = Array.from({ length: PER }, (_, i) => ({
      engagementId: id,
      personId: `p${i}`,
      side: i % 2 ? 'provider' : 'client',
      roles: ['stakeholder'],
      slack: { team: 'T1', user: `U${e}x${i}` },
      platformTimezone: 'UTC',
      platformTimezoneCheckedAt: now,
    }));
    await rt.ctx.store.people.insertMany(people);
  }
  return { rt, today, weekday };
}

/** BENCH_WORKER_ARGS go to the worker's node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
const nodeArgs = (process.env.BENCH_WORKER_ARGS ?? '').split(' ').filter(Boolean);

/** CPU seconds a process has used so far (user + system). */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** BENCH_DB_PID names the database server's process, whose CPU time is then reported. */
const dbPid = Number(process.env.BENCH_DB_PID ?? 0);

async function botRun(slack: FakeSlack) {
  const env = isolatedEnv({ LOG_LEVEL: 'warn' });
  const { rt, today, weekday } = await seed(env);
  // The worker logs at `info`, as it would in production.
  const worker = await startWorkerProcess(
    env,
    {
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: 'unused',
      SLACK_API_URL: slack.url,
      RAPPORT_WORKER_CONCURRENCY: process.env.RAPPORT_WORKER_CONCURRENCY ?? '20',
    },
    nodeArgs,
  );
  const pid = worker.child.pid!;
  slack.calls.length = 0;
  await rt.ctx.store.engagements.updateMany(
    {},
    { $set: { cadence: { unit: 'week', every: 1, on: weekday, at: '00:00', startsOn: today } } },
  );
  const w0 = Date.now();
  const cpu0 = await cpuSeconds(pid);
  const db0 = dbPid ? await cpuSeconds(dbPid) : 0;
  for (let e = 0; e < ENGAGEMENTS; e++) {
    const engagementId = `bench-${e}`;
    await rt.ctx.jobs.enqueue(
      'plan-pulses',
      { engagementId },
      { jobId: jobId('bench', engagementId) },
    );
  }
  let peak = 0;
  let seen = 0;
  let progressAt = Date.now();
  while (slack.callsOf('chat.postMessage').length < PER * ENGAGEMENTS) {
    peak = Math.max(peak, await peakRss(pid));
    await new Promise((r) => setTimeout(r, 100));
    const count = slack.callsOf('chat.postMessage').length;
    if (count > seen) [seen, progressAt] = [count, Date.now()];
    if (Date.now() - progressAt > STALL_MS) {
      await worker.stop();
      throw new Error(`no message for ${STALL_MS / 1000} s after ${seen} of ${PER * ENGAGEMENTS}`);
    }
  }
  const posts = slack.callsOf('chat.postMessage').map((c) => c.at);
  const first = Math.min(...posts);
  const last = Math.max(...posts);
  peak = Math.max(peak, await peakRss(pid));
  const workerCpu = (await cpuSeconds(pid)) - cpu0;
  const dbCpu = dbPid ? (await cpuSeconds(dbPid)) - db0 : NaN;
  await worker.stop();
  await rt.ctx.jobs.queue.obliterate({ force: true });
  // Send claims and asked histories live beside the queue, under the same prefix.
  const redis = rt.ctx.jobs.connection;
  for (;;) {
    const keys = await redis.keys(`${rt.ctx.jobs.prefix}:*`);
    if (keys.length === 0) break;
    for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  }
  await rt.ctx.store.connection.dropDatabase();
  await rt.close();
  return {
    seconds: (last - w0) / 1000,
    firstSeconds: (first - w0) / 1000,
    peakMiB: peak,
    workerCpu,
    dbCpu,
  };
}

async function loopRun(slack: FakeSlack) {
  const chat = createSlackChat({ token: slack.token, apiUrl: slack.url });
  const parties = { client: 'Client', provider: 'Provider' };
  const dims = ['advocacy', 'governance', 'business_alignment'] as const;
  const view = {
    deliveryId: 'bench-0--2026-01-05--p0',
    engagementName: 'Bench 0',
    side: 'client' as const,
    status: 'open' as const,
    closesAt: new Date(),
    questions: dims.map((d) => {
      const q = questionFor(d, 'client', parties);
      return { id: q.id, text: q.text, scale: q.scale, chosen: null };
    }),
  };
  slack.calls.length = 0;
  const t0 = performance.now();
  for (let i = 0; i < PER * ENGAGEMENTS; i++) {
    await chat.sendPulse({ platform: 'slack', team: 'T1', user: `U${i}` }, view);
  }
  return (performance.now() - t0) / 1000;
}

async function main() {
  loadEnv();
  const total = PER * ENGAGEMENTS;
  console.log(`delivery bench: ${total} people, ${ENGAGEMENTS} engagements, ${RUNS} runs`);
  const bot: Awaited<ReturnType<typeof botRun>>[] = [];
  const loop: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const slack = await new FakeSlack().start();
    const b = await botRun(slack);
    slack.messages.clear();
    const l = await loopRun(slack);
    await slack.stop();
    bot.push(b);
    loop.push(l);
    console.log(
      `run ${run + 1}: bot ${(total / b.seconds).toFixed(0)}/s (${b.seconds.toFixed(1)} s, ` +
        `first message after ${b.firstSeconds.toFixed(1)} s, worker CPU ` +
        `${b.workerCpu.toFixed(1)} s, database CPU ${b.dbCpu.toFixed(1)} s, ` +
        `peak ${b.peakMiB.toFixed(0)} MiB); loop ${(total / l).toFixed(0)}/s (${l.toFixed(1)} s)`,
    );
  }
  const botRate = total / median(bot.map((b) => b.seconds));
  const loopRate = total / median(loop);
  const peak = median(bot.map((b) => b.peakMiB));
  console.log(
    `median: bot ${botRate.toFixed(0)} deliveries/s, loop ${loopRate.toFixed(0)}/s, ` +
      `ratio ${(botRate / loopRate).toFixed(2)}, bot peak ${peak.toFixed(0)} MiB`,
  );
  process.exit(0);
}

await main();
