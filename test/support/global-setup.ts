import { ensureServices } from '../../scripts/services-lib.js';

/**
 * Makes Redis and a MongoDB-compatible server available before any test runs (starting
 * them if needed) and hands their addresses to the test processes through the environment.
 */
export default async function setup(): Promise<void> {
  const services = await ensureServices({ progress: (note) => console.log(`services: ${note}`) });
  for (const line of services.lines) console.log(line);
  process.env.REDIS_URL = services.redisUrl;
  process.env.MONGODB_URI = services.mongoUrl;
  process.env.RAPPORT_TEST_MONGO_SERVER = services.mongoServer;
}
