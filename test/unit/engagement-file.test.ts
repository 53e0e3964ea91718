import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  EngagementFileError,
  parseEngagementFile,
  toCadence,
} from '../../src/config/engagement-file.js';

const example = await readFile(
  new URL('../fixtures/engagement.example.yaml', import.meta.url),
  'utf8',
);

function problemsOf(yaml: string): string[] {
  try {
    parseEngagementFile(yaml);
  } catch (err) {
    if (err instanceof EngagementFileError) return err.problems;
    throw err;
  }
  return [];
}

describe('engagement file', () => {
  it('reads the shared example with its defaults filled in', () => {
    const file = parseEngagementFile(example);
    expect(file.engagements.map((e) => e.id)).toEqual(['harbor-meridian', 'lakeside-orbit']);
    const lakeside = file.engagements[1]!;
    expect(lakeside.questionsPerPulse).toBe(3);
    expect(lakeside.privacyThreshold).toBe(3);
    expect(lakeside.people[0]?.teams?.tenant).toBe('6f1c2d3e-0000-4000-8000-00000000c0de');
    expect(toCadence(file.engagements[0]!.cadence)).toMatchObject({ unit: 'week', every: 2 });
    expect(toCadence(lakeside.cadence)).toMatchObject({ unit: 'month', every: 1, on: 'wednesday' });
  });

  it('names the path of a bad value inside the file', () => {
    const bad = example.replace('{ id: lc1, side: client', '{ id: lc1, side: vendor');
    expect(problemsOf(bad)).toEqual([
      expect.stringMatching(/^engagements\[1\]\.people\[0\]\.side: /),
    ]);
  });

  it('names a bad cadence time and an unknown owner', () => {
    const bad = example
      .replace('at: "09:30"', 'at: "9.30am"')
      .replace('owners: [c02, p02]', 'owners: [c02, zz9]');
    const problems = problemsOf(bad);
    expect(problems).toContainEqual(expect.stringMatching(/^engagements\[0\]\.cadence\.at: /));
    expect(problems).toContainEqual(
      expect.stringMatching(/^engagements\[0\]\.actions\[0\]\.owners\[1\]: no such person/),
    );
  });

  it('refuses a time zone that does not exist and a YAML syntax error', () => {
    expect(
      problemsOf(example.replace('timezone: Europe/Berlin', 'timezone: Mars/Olympus')),
    ).toContainEqual(expect.stringMatching(/^engagements\[1\]\.timezone: /));
    expect(problemsOf('engagements: [ {')[0]).toMatch(/^YAML: /);
  });

  it('refuses impossible dates, repeated engagement ids and ids containing "--"', () => {
    expect(
      problemsOf(example.replace('startsOn: 2026-01-06', 'startsOn: 2026-02-30')),
    ).toContainEqual(
      expect.stringMatching(/^engagements\[0\]\.cadence\.startsOn: must be a real date/),
    );
    expect(problemsOf(example.replace('id: lakeside-orbit', 'id: harbor-meridian'))).toEqual([
      'engagements[1].id: repeats',
    ]);
    expect(problemsOf(example.replace('id: lc2,', 'id: lc--2,'))).toContainEqual(
      expect.stringMatching(/^engagements\[1\]\.people\[1\]\.id: must not contain "--"/),
    );
  });
});
