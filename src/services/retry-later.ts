/**
 * Thrown by a job's use case to run the job again after `delayMs` without spending one of its
 * attempts: a Retry-After to honour, or another process's claim to wait out.
 */
export class RetryLaterError extends Error {
  readonly code = 'RETRY_LATER';

  constructor(
    /** Milliseconds to wait before the job runs again. */
    readonly delayMs: number,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(reason, options);
  }
}
