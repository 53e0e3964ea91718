import { vi } from 'vitest';

/**
 * Retries `check` until it stops throwing, for up to `timeout` ms (default 10 s, not vitest's
 * 1 s): work that follows an acknowledged click runs after the HTTP reply, and two cores
 * shared with other test files can be slow.
 */
export function waitFor<T>(check: () => T | Promise<T>, timeout = 10_000): Promise<T> {
  return vi.waitFor(check, { timeout, interval: 50 });
}
