import pino, { type Logger } from 'pino';

/** Paths whose values never reach the log: credentials, message text and comments. */
const REDACT = [
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'text',
  '*.text',
  'comment',
  '*.comment',
];

/** The one logger of a process; modules take child loggers with their own fields. */
export function createLogger(level: string): Logger {
  return pino(
    { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { app: 'rapport' } },
    pino.destination(2),
  );
}
