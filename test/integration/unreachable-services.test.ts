import { describe, expect, it } from 'vitest';
import { runCli } from '../support/processes.js';
import { isolatedEnv } from '../support/test-env.js';

describe('when a service cannot be reached', () => {
  it('the CLI says which one in one line and exits 1 instead of hanging', async () => {
    // Nothing listens on port 1 of the loopback address.
    const env = isolatedEnv({ REDIS_URL: 'redis://127.0.0.1:1' });
    const started = Date.now();
    const out = await runCli(env, ['pulse', 'send', 'anything']);
    expect(out.code).toBe(1);
    expect(out.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^rapport: redis: cannot reach REDIS_URL/),
    ]);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
