/**
 * The part of redlock 5's API that Rapport uses. The package ships its own types, but its
 * `exports` map does not name them, so TypeScript cannot find them from an ES module.
 */
declare module 'redlock' {
  import type { Redis } from 'ioredis';

  export interface Settings {
    retryCount: number;
    retryDelay: number;
    retryJitter: number;
  }

  export default class Redlock {
    constructor(clients: Iterable<Redis>, settings?: Partial<Settings>);
    using<T>(
      resources: string[],
      duration: number,
      routine: (signal: AbortSignal) => Promise<T>,
    ): Promise<T>;
  }
}
