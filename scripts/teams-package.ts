import { resolve } from 'node:path';
import { writePackage } from '../adapters/teams/app-package.js';

const GUID = /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i;

/**
 * `npm run teams:package [-- OUT.zip]`: builds the Teams app package (manifest.json,
 * color.png, outline.png) for the bot `TEAMS_CLIENT_ID`, by default into
 * `dist/rapport-teams.zip`. `RAPPORT_APP_VERSION` and `RAPPORT_WEBSITE_URL` fill the manifest.
 */
async function main(): Promise<number> {
  const botId = process.env.TEAMS_CLIENT_ID;
  if (!botId || !GUID.test(botId)) {
    console.error("teams:package: TEAMS_CLIENT_ID must be the bot's app id (a GUID)");
    return 1;
  }
  const out = resolve(process.argv[2] ?? 'dist/rapport-teams.zip');
  await writePackage(out, {
    botId,
    version: process.env.RAPPORT_APP_VERSION,
    websiteUrl: process.env.RAPPORT_WEBSITE_URL,
  });
  console.log(`Teams app package written to ${out}`);
  return 0;
}

process.exitCode = await main();
