import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AnswersFileError, importAnswers } from '../../src/services/answer-import.js';
import { runCli } from '../support/processes.js';
import { testRuntime, type TestRuntime } from '../support/runtime.js';
import { acmeGlobexYaml } from '../support/engagement-yaml.js';

const YAML = acmeGlobexYaml(`
      - { id: c1, side: client, slack: { team: T1, user: U1 } }
      - { id: p1, side: provider, slack: { team: T1, user: U2 } }
`);

const HEADER = 'engagement,answered_at,person,side,dimension,scale,score';
const GOOD = [
  'acme-globex,2026-02-03T10:00:00Z,c1,client,advocacy,nps,9',
  'acme-globex,2026-02-04T10:00:00Z,c1,client,advocacy,nps,3',
  'acme-globex,2026-02-03T10:01:00Z,p1,provider,governance,agree5,4',
];

describe('importing past answers from CSV', () => {
  let rt: TestRuntime;
  afterEach(() => rt?.dispose());

  it('refuses a file with bad rows whole, naming each bad line and why', async () => {
    rt = await testRuntime({ now: new Date('2026-03-01T00:00:00Z') });
    await rt.importYaml(YAML);
    const csv = [
      HEADER,
      ...GOOD,
      'acme-globex,2026-02-05T10:00:00Z,c1,client,advocacy,nps,11',
      'acme-globex,yesterday,c1,client,advocacy,nps,5',
      'acme-globex,2026-02-05T10:00:00Z,zz,client,governance,agree5,3',
      'acme-globex,2026-02-05T10:00:00Z,p1,client,governance,agree5,3',
      'acme-globex,2026-02-05T10:00:00Z,c1,client,governance,nps,3',
      'nope,2026-02-05T10:00:00Z,c1,client,governance,agree5,3',
      'acme-globex,2026-04-05T10:00:00Z,c1,client,governance,agree5,3',
      'acme-globex,2026-02-03T11:00:00Z,c1,client,advocacy,nps,10',
      'acme-globex,2026-02-05T10:00:00Z,c1',
    ].join('\n');
    const err = await importAnswers(rt.ctx, csv).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AnswersFileError);
    expect((err as AnswersFileError).problems.map((p) => p.line)).toEqual([
      5, 6, 7, 8, 9, 10, 11, 12, 13,
    ]);
    const message = (err as Error).message;
    expect(message).toMatch(/^answers file: 9 bad rows, nothing imported/);
    expect(message).toContain('line 5: score: must be 0 to 10 on the nps scale');
    expect(message).toContain('line 6: answered_at:');
    expect(message).toContain('line 7: person: "zz" is not a person of acme-globex');
    expect(message).toContain('line 8: side: p1 is on the provider side');
    expect(message).toContain('line 9: scale: governance is asked on agree5');
    expect(message).toContain('line 10: engagement: no engagement "nope"');
    expect(message).toContain('line 11: answered_at: is in the future');
    expect(message).toContain('line 12: repeats line 2');
    expect(message).toContain('line 13: has 3 fields, expected 7');
    expect(await rt.ctx.store.answers.countDocuments()).toBe(0);
    expect(await rt.ctx.store.rollups.countDocuments()).toBe(0);
  });

  it('keeps two answers of one person on different days apart and adds nothing again', async () => {
    rt = await testRuntime({ now: new Date('2026-03-01T00:00:00Z') });
    await rt.importYaml(YAML);
    const csv = [HEADER, ...GOOD].join('\n') + '\n';
    expect(await importAnswers(rt.ctx, csv)).toEqual({
      rows: 3,
      added: 3,
      replaced: 0,
      unchanged: 0,
    });
    expect(await importAnswers(rt.ctx, csv)).toMatchObject({ added: 0, unchanged: 3 });
    expect(await rt.ctx.store.answers.countDocuments({ personId: 'c1' })).toBe(2);
  });

  it('exits 1 from the CLI with the list of bad rows', async () => {
    rt = await testRuntime();
    await rt.importYaml(YAML);
    const file = join(tmpdir(), `answers-${process.pid}-${Date.now()}.csv`);
    await writeFile(
      file,
      [HEADER, GOOD[0], 'acme-globex,2026-02-05T10:00:00Z,c1,x,y,z,1'].join('\n'),
    );
    const out = await runCli(rt.env, ['answers', 'import', file]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(
      /^rapport: answers file: 1 bad row, nothing imported\n {2}line 3: side:/,
    );
    expect(await rt.ctx.store.answers.countDocuments()).toBe(0);
  });
});
