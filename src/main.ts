import { runCli } from './cli/main.js';

/** Commands that keep running after their action returns. */
const SERVICES = ['start', 'worker'];

const code = await runCli(process.argv.slice(2));
// `start` and `worker` keep running; every other command ends here.
if (!SERVICES.includes(process.argv[2] ?? '') || code !== 0) process.exit(code);
