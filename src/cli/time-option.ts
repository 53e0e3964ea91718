import { InvalidArgumentError } from 'commander';
import { isRealDate } from '../config/engagement-file.js';

const ISO = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/**
 * Parses an ISO 8601 time given on the command line: a date (read as 00:00 UTC) or a date and
 * time with `Z` or an offset. A time without an offset is refused rather than read in the
 * host's time zone, which would make the same command mean different instants on two machines.
 */
export function isoTime(value: string): Date {
  const match = ISO.exec(value);
  const t = new Date(match && !match[2] ? `${value}T00:00:00Z` : value);
  if (!match || !isRealDate(match[1] ?? '') || Number.isNaN(t.getTime())) {
    throw new InvalidArgumentError(
      `"${value}" is not an ISO 8601 time with Z or an offset, such as 2026-03-29T23:00Z`,
    );
  }
  return t;
}
