import { runCli } from './cli/main.js';

const code = await runCli(process.argv.slice(2));
// `start` keeps running; every other command ends here.
if (process.argv[2] !== 'start' || code !== 0) process.exit(code);
