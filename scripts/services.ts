/**
 * Makes Redis and a MongoDB-compatible server answer at REDIS_URL and MONGODB_URI, starting
 * local ones when needed. Usage: `npx tsx scripts/services.ts`. Prints one line per service;
 * on failure prints one line to stderr and exits 1.
 */
import { ensureServices, ServiceError } from './services-lib.js';

try {
  const services = await ensureServices({
    progress: (note) => process.stderr.write(`${note}\n`),
  });
  process.stdout.write(`${services.lines.join('\n')}\n`);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  const prefix = error instanceof ServiceError ? '' : 'services: ';
  process.stderr.write(`${prefix}${message.split('\n')[0]}\n`);
  process.exitCode = 1;
}
