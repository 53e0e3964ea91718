import { Command, CommanderError } from 'commander';
import { EngagementFileError } from '../config/engagement-file.js';
import { EnvError, loadEnv, type Env } from '../config/env.js';
import { UserError } from '../errors.js';
import { registerActionCommands } from './commands/actions.js';
import { registerCoreCommands } from './commands/core.js';
import { registerScheduleCommands } from './commands/schedule.js';
import { registerScoresCommands } from './commands/scores.js';

/** The whole command tree; each group of commands registers itself from its own file. */
function program(env: () => Env): Command {
  const cli = new Command('rapport')
    .description('Two-sided relationship pulses for Slack and Microsoft Teams')
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(s.split('\n')[0] + '\n') });
  registerCoreCommands(cli, env);
  registerActionCommands(cli, env);
  registerScheduleCommands(cli, env);
  registerScoresCommands(cli, env);
  return cli;
}

/** The one-line reason for an error a user can fix, or null for anything else. */
function userMessage(err: unknown): string | null {
  if (err instanceof UserError || err instanceof EnvError) return err.message;
  if (err instanceof EngagementFileError) return err.message;
  const name = (err as { name?: string }).name ?? '';
  if (name === 'MongooseServerSelectionError' || name === 'MongoServerSelectionError') {
    return 'database: cannot reach MONGODB_URI (is it running? try `npm run services`)';
  }
  return null;
}

/** Runs the CLI; resolves to the exit status. */
export async function runCli(argv: string[]): Promise<number> {
  let env: Env | undefined;
  const getEnv = () => (env ??= loadEnv());
  try {
    await program(getEnv).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    const message = userMessage(err);
    if (message !== null) {
      console.error(`rapport: ${message}`);
      return 1;
    }
    console.error(`rapport: unexpected error: ${(err as Error).message}`);
    return 2;
  }
}
