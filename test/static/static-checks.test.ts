import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

async function check(bin: string, args: string[]): Promise<string> {
  try {
    await run(process.execPath, [fileURLToPath(new URL(bin, `file://${root}/`)), ...args], {
      cwd: root,
      maxBuffer: 16 * 1024 * 1024,
    });
    return '';
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`.trim() || String(err);
  }
}

describe('the code base', () => {
  it('type-checks in strict mode', async () => {
    expect(
      await check('node_modules/typescript/bin/tsc', ['--noEmit', '-p', 'tsconfig.json']),
    ).toBe('');
  }, 180_000);

  it('passes lint, floating promises and unused code included', async () => {
    expect(await check('node_modules/eslint/bin/eslint.js', ['.'])).toBe('');
  }, 180_000);
});
