import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inflateSync } from 'node:zlib';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { packageFiles } from '../../adapters/teams/app-package.js';
import { pngSize } from '../../adapters/teams/icons.js';
import { teamsManifest } from '../../adapters/teams/manifest.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCHEMA = join(ROOT, 'test/fixtures/teams-manifest-1.29.schema.json');
const BOT_ID = '00000000-0000-4000-8000-00000000b07a';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

async function manifestValidator() {
  const schema = JSON.parse(await readFile(SCHEMA, 'utf8')) as Record<string, unknown>;
  // The file names draft-04 but uses `const`; Ajv's default draft reads both as intended.
  delete schema.$schema;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(schema);
}

describe('the Teams app package', () => {
  it('has a manifest that the Teams manifest schema 1.29 accepts', async () => {
    const validate = await manifestValidator();
    const valid = validate(teamsManifest({ botId: BOT_ID }));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('would be refused by the schema with a bot id that is not a GUID', async () => {
    const validate = await manifestValidator();
    expect(validate(teamsManifest({ botId: 'rapport-dev' }))).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toContain('/id');
  });

  it('ships a 192×192 colour icon and a 32×32 outline icon with a clear background', () => {
    const files = packageFiles({ botId: BOT_ID });
    expect(Object.keys(files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    expect(pngSize(files['color.png']!)).toEqual({ width: 192, height: 192 });
    expect(pngSize(files['outline.png']!)).toEqual({ width: 32, height: 32 });
    expect(alphaAt(files['outline.png']!, 32, 0, 0)).toBe(0);
    expect(alphaAt(files['color.png']!, 192, 0, 0)).toBe(255);
  });

  it('is built by `npm run teams:package` as a zip with the three files at its root', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rapport-teams-'));
    try {
      const out = join(dir, 'app.zip');
      const run = promisify(execFile);
      const tsx = join(ROOT, 'node_modules/.bin/tsx');
      await run(tsx, ['scripts/teams-package.ts', out], {
        cwd: ROOT,
        env: { ...process.env, TEAMS_CLIENT_ID: BOT_ID },
      });
      const zip = await readFile(out);
      expect(zip.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
      const names = centralDirectoryNames(zip);
      expect(names.sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to build without a GUID bot id, in one line', async () => {
    const run = promisify(execFile);
    const tsx = join(ROOT, 'node_modules/.bin/tsx');
    const failed = await run(tsx, ['scripts/teams-package.ts', '/dev/null'], {
      cwd: ROOT,
      env: { ...process.env, TEAMS_CLIENT_ID: 'not-a-guid' },
    }).catch((err: { code: number; stderr: string }) => err);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr.trim().split('\n')).toHaveLength(1);
  });
});

/** The alpha of pixel (x, y) of an unfiltered RGBA PNG with one IDAT chunk. */
function alphaAt(png: Buffer, size: number, x: number, y: number): number {
  const at = png.indexOf('IDAT', 8, 'ascii');
  const data = inflateSync(png.subarray(at + 4, at + 4 + png.readUInt32BE(at - 4)));
  return data[y * (size * 4 + 1) + 1 + x * 4 + 3]!;
}

/** The file names in a zip's central directory (signature 0x02014b50 per entry). */
function centralDirectoryNames(zip: Buffer): string[] {
  const names: string[] = [];
  for (let i = 0; i + 46 <= zip.length; i++) {
    if (zip.readUInt32LE(i) !== 0x02014b50) continue;
    const length = zip.readUInt16LE(i + 28);
    names.push(zip.toString('utf8', i + 46, i + 46 + length));
    i += 45 + length;
  }
  return names;
}
