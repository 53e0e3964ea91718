import { InvalidArgumentError } from 'commander';

/** Parses an ISO 8601 time given on the command line. */
export function isoTime(value: string): Date {
  const t = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(t.getTime())) {
    throw new InvalidArgumentError(`"${value}" is not an ISO 8601 time such as 2026-03-29T23:00Z`);
  }
  return t;
}
