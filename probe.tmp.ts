import { randomBytes } from 'node:crypto';
import { openRuntime } from './src/app.js';
import { loadEnv } from './src/config/env.js';
import { createLogger } from './src/logger.js';
import { upsertAnswer } from './src/services/answers.js';
import { rollupsSettled } from './src/services/rollups.js';
const env = loadEnv({ MONGODB_URI: `mongodb://127.0.0.1:27017/probe_${randomBytes(3).toString('hex')}`, RAPPORT_QUEUE_PREFIX: 'probe' + randomBytes(3).toString('hex'), LOG_LEVEL: 'silent' });
const rt = await openRuntime(env, createLogger('silent'), true);
await rt.ctx.store.engagements.create({ _id: 'e', name: 'e', client: 'C', provider: 'P', timezone: 'Europe/Berlin', cadence: { unit: 'week', every: 1, at: '09:00', startsOn: '2024-01-01' }, questionsPerPulse: 3, reminders: 1, closesAfterDays: 3, privacyThreshold: 3, windowWeeks: 13 });
const dims = ['advocacy', 'business_alignment', 'relationship_alignment', 'future_value_alignment', 'operational_performance', 'governance', 'project_services'] as const;
let t = performance.now();
const N = 600; t = performance.now();
for (let i = 0; i < N; i++) {
  const d = dims[i % 7]!;
  await upsertAnswer(rt.ctx, { engagementId: 'e', pulseId: 'e--p' + Math.floor(i / 120), questionId: d, personId: 'p' + (i % 40), side: i % 2 ? 'client' : 'provider', dimension: d, scale: d === 'advocacy' ? 'nps' : 'agree5', score: d === 'advocacy' ? i % 11 : 1 + (i % 5), answeredAt: new Date(Date.UTC(2026, 5, 1) + i * 60000), source: 'import' });
}
const mid = performance.now();
await rollupsSettled(rt.ctx.store, 'e');
console.log('per answer', ((mid - t) / N).toFixed(3), 'settle', (performance.now() - mid).toFixed(1));
await rt.ctx.store.connection.dropDatabase(); await rt.ctx.jobs.queue.obliterate({ force: true }); await rt.close();
