import { describe, expect, it } from 'vitest';
import { EnvError, loadEnv } from '../../src/config/env.js';

describe('environment', () => {
  it('has the documented defaults', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      MONGODB_URI: 'mongodb://127.0.0.1:27017/rapport',
      REDIS_URL: 'redis://127.0.0.1:6379',
      PORT: 3000,
    });
    expect(env.SLACK_BOT_TOKEN).toBeUndefined();
  });

  it('stops on a bad value with one line naming the variable', () => {
    expect(() => loadEnv({ PORT: 'eighty' })).toThrow(EnvError);
    expect(() => loadEnv({ PORT: 'eighty' })).toThrow(/^PORT: /);
    expect(() => loadEnv({ REDIS_URL: 'http://x' })).toThrow(/^REDIS_URL: must start with/);
    expect(() => loadEnv({ LOG_LEVEL: 'loud' })).toThrow(/^LOG_LEVEL: /);
  });
});
