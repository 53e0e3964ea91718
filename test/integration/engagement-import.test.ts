import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEngagementFile } from '../../src/config/engagement-file.js';
import { importEngagements } from '../../src/services/engagement-import.js';
import { runCli } from '../support/processes.js';
import { testRuntime, type TestRuntime } from '../support/runtime.js';

const path = fileURLToPath(new URL('../fixtures/engagement.example.yaml', import.meta.url));
const example = await readFile(path, 'utf8');

describe('importing an engagement file', () => {
  let rt: TestRuntime;
  afterEach(() => rt?.dispose());

  it('creates engagements and people once; a second import changes nothing', async () => {
    rt = await testRuntime();
    const first = await importEngagements(rt.ctx.store, parseEngagementFile(example));
    expect(first.engagements.created).toBe(2);
    expect(first.people.created).toBe(12);
    const second = await importEngagements(rt.ctx.store, parseEngagementFile(example));
    expect(second.engagements).toEqual({ created: 0, updated: 0, unchanged: 2 });
    expect(second.people).toEqual({ created: 0, updated: 0, unchanged: 12, deactivated: 0 });
    expect(await rt.ctx.store.people.countDocuments()).toBe(12);
  });

  it('updates only what the file changed and deactivates people it dropped', async () => {
    rt = await testRuntime();
    await importEngagements(rt.ctx.store, parseEngagementFile(example));
    const changed = example
      .replace('privacyThreshold: 3', 'privacyThreshold: 4')
      .replace(/\n\s+- \{ id: p01, side: provider.*\n.*\n/, '\n');
    const summary = await importEngagements(rt.ctx.store, parseEngagementFile(changed));
    expect(summary.engagements).toEqual({ created: 0, updated: 1, unchanged: 1 });
    expect(summary.people).toMatchObject({ created: 0, updated: 0, deactivated: 1 });
    const harbor = await rt.ctx.store.engagements.findById('harbor-meridian').lean();
    expect(harbor?.privacyThreshold).toBe(4);
    const p01 = await rt.ctx.store.people.findOne({ personId: 'p01' }).lean();
    expect(p01?.active).toBe(false);
  });

  it('refuses a bad file from the CLI in one line, storing nothing', async () => {
    rt = await testRuntime();
    const bad = path.replace(/engagement\.example\.yaml$/, 'does-not-exist.yaml');
    const missing = await runCli(rt.env, ['import', bad]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/cannot read: ENOENT/);
    expect(await rt.ctx.store.engagements.countDocuments()).toBe(0);
    const ok = await runCli(rt.env, ['import', path]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/engagements: 2 created/);
    // A running bot needs no restart: the import itself sets up each engagement's planner.
    const planners = (await rt.ctx.jobs.queue.getJobSchedulers()).filter(
      (s) => s.name === 'plan-pulses',
    );
    expect(planners.map((s) => s.key).sort()).toEqual([
      'plan--harbor-meridian',
      'plan--lakeside-orbit',
    ]);
  });
});
