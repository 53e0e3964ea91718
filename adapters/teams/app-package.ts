import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ZipFile } from 'yazl';
import { colorIcon, outlineIcon } from './icons.js';
import { teamsManifest, type ManifestOptions } from './manifest.js';

/** The files of the Teams app package, by name, at the zip's root as Teams requires. */
export function packageFiles(options: ManifestOptions): Record<string, Buffer> {
  return {
    'manifest.json': Buffer.from(JSON.stringify(teamsManifest(options), null, 2) + '\n'),
    'color.png': colorIcon(),
    'outline.png': outlineIcon(),
  };
}

/** Writes the app package zip to `path` (folders created as needed). */
export async function writePackage(path: string, options: ManifestOptions): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const zip = new ZipFile();
  // A fixed date keeps the zip identical for identical contents.
  const mtime = new Date('2026-01-01T00:00:00Z');
  for (const [name, data] of Object.entries(packageFiles(options))) {
    zip.addBuffer(data, name, { mtime });
  }
  zip.end();
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(path);
    out.on('close', resolve);
    out.on('error', reject);
    zip.outputStream.on('error', reject).pipe(out);
  });
}
