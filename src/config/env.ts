import { z } from 'zod';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const optionalText = z.string().trim().min(1).optional();

/** The process environment Rapport reads, with its defaults. */
export const envSchema = z.object({
  /** `production` turns off development conveniences; any other name is development. */
  NODE_ENV: z.string().default('development'),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .default('mongodb://127.0.0.1:27017/rapport'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .default('redis://127.0.0.1:6379'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  /** Prefix of every BullMQ key, so that several deployments can share one Redis. */
  RAPPORT_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('rapport'),
  /**
   * Milliseconds a worker holds a job before another may take it over, and how often workers
   * look for jobs whose process died; default 30 s (BullMQ's own).
   */
  RAPPORT_JOB_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /** Jobs one worker process runs at once; default 20. */
  RAPPORT_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(20),
  RAPPORT_SECRET: optionalText,
  RAPPORT_CONFIG: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_BOT_TOKEN: optionalText,
  SLACK_API_URL: z.url().optional(),
  /** Milliseconds a Slack Web API call may take before it counts as failed; default 10 s. */
  SLACK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  TEAMS_CLIENT_ID: optionalText,
  TEAMS_CLIENT_SECRET: optionalText,
  TEAMS_TENANT_ID: optionalText,
  /** Entra authority for Teams tokens; defaults to Microsoft's (`login.microsoftonline.com`). */
  TEAMS_AUTHORITY: z.url().optional(),
  /** When set, outgoing Teams tokens come from this Entra auth sidecar instead of MSAL. */
  TEAMS_TOKEN_SIDECAR_URL: z.url().optional(),
});

export type Env = z.infer<typeof envSchema>;

/** Raised when the environment is invalid; the message is one line naming the variable. */
export class EnvError extends Error {
  readonly code = 'ENV_INVALID';
}

/** Validates the environment; a bad value throws one line that names the variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = String(issue?.path[0] ?? 'environment');
  throw new EnvError(`${name}: ${issue?.message ?? 'invalid'}`);
}
