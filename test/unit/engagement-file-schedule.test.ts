import { describe, expect, it } from 'vitest';
import { EngagementFileError, parseEngagementFile } from '../../src/config/engagement-file.js';

function file(extra: string): string {
  return `
engagements:
  - id: acme
    name: Acme x Globex
    client: Acme
    provider: Globex
    timezone: UTC
    cadence: { every: 1 week, on: monday, at: "10:00", startsOn: 2026-01-05 }
${extra}
`;
}

describe('the engagement file on closing and pausing', () => {
  it('reads closesAfter as days, keeps closesAfterDays working, and defaults to 3', () => {
    expect(parseEngagementFile(file('    closesAfter: 5 days')).engagements[0]?.closesAfter).toBe(
      5,
    );
    expect(parseEngagementFile(file('    closesAfter: 1 day')).engagements[0]?.closesAfter).toBe(1);
    const old = parseEngagementFile(file('    closesAfterDays: 4')).engagements[0];
    expect(old?.closesAfterDays).toBe(4);
    expect(old?.closesAfter).toBeUndefined();
    expect(parseEngagementFile(file('')).engagements[0]?.closesAfterDays).toBe(3);
  });

  it('names the field of a bad closesAfter', () => {
    for (const bad of ['3', '3 weeks', '0 days', '40 days']) {
      try {
        parseEngagementFile(file(`    closesAfter: ${bad}`));
        expect.fail(`accepted ${bad}`);
      } catch (err) {
        expect(err).toBeInstanceOf(EngagementFileError);
        expect((err as EngagementFileError).problems[0]).toMatch(
          /^engagements\[0\]\.closesAfter: /,
        );
      }
    }
  });

  it('takes paused: true as an admin pause of the whole engagement', () => {
    expect(parseEngagementFile(file('    paused: true')).engagements[0]?.paused).toBe(true);
  });
});
