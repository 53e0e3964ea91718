import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const vitest = fileURLToPath(new URL('node_modules/vitest/vitest.mjs', `file://${root}/`));

/**
 * Local times must never depend on the host's time zone. The unit tests, where all of the
 * calendar and clock arithmetic is checked, run again in child processes whose host zone is
 * each of these (one with a half-hour offset, one with a half-hour DST shift).
 */
const HOST_ZONES = ['America/Los_Angeles', 'Asia/Kolkata', 'Australia/Lord_Howe'];

describe('the unit tests under other host time zones', () => {
  it.each(HOST_ZONES)(
    'pass with TZ=%s',
    async (tz) => {
      const result = await run(process.execPath, [vitest, 'run', 'test/unit'], {
        cwd: root,
        env: { ...process.env, TZ: tz, NO_COLOR: '1', FORCE_COLOR: '0' },
        maxBuffer: 16 * 1024 * 1024,
      }).catch((err: { stdout?: string; stderr?: string }) => ({
        stdout: `${err.stdout ?? ''}${err.stderr ?? ''}`,
        failed: true,
      }));
      expect('failed' in result ? result.stdout : '').toBe('');
      expect(result.stdout).toMatch(/Tests\s+\d+ passed/);
    },
    180_000,
  );
});
