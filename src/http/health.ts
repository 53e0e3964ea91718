import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { Store } from '../store/store.js';
import { pingStore } from '../store/store.js';

async function pingRedis(redis: Redis): Promise<boolean> {
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  }
}

/** `GET /healthz`: the process is up. `GET /readyz`: Redis and the database answer. */
export function healthRoutes(store: Store, redis: Redis): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  router.get('/readyz', async (_req, res) => {
    const [database, queue] = await Promise.all([pingStore(store), pingRedis(redis)]);
    res
      .status(database && queue ? 200 : 503)
      .json({ ok: database && queue, database, redis: queue });
  });
  return router;
}
