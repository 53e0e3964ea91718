import type { Logger } from 'pino';
import type { ChatPorts } from '../../adapters/chat-port.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Store } from '../store/store.js';

/** What every use case is given: storage, chat, the job queue, a clock and a logger. */
export interface Context {
  store: Store;
  chat: ChatPorts;
  jobs: JobQueue;
  log: Logger;
  /** The current time; injected so tests control it. */
  now: () => Date;
}
