import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('applies the defaults of DESIGN §8', () => {
    const c = loadConfig({});
    expect(c.role).toBe('all');
    expect(c.env.PORT).toBe(3000);
    expect(c.env.IRACING_API_URL).toBe('https://members-ng.iracing.com');
    expect(c.env.IRACING_OAUTH_URL).toBe('https://oauth.iracing.com');
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.runsScheduler).toBe(true);
    expect(c.sandbox).toBe(true);
  });

  it('names every wrong variable and what it expects', () => {
    try {
      loadConfig({ PORT: 'eighty', ROLE: 'boss', SCHEDULER_ENABLED: 'maybe', DATABASE_URL: 'mysql://x' });
      throw new Error('no error');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as ConfigError).message;
      expect(msg).toMatch(/PORT: .*integer/);
      expect(msg).toMatch(/ROLE: must be one of api, worker, all, cli \(got "boss"\)/);
      expect(msg).toMatch(/SCHEDULER_ENABLED: must be true or false/);
      expect(msg).toMatch(/DATABASE_URL: must be a postgres:\/\/ URL/);
    }
  });

  it('never echoes a secret, even a malformed one', () => {
    try {
      loadConfig({ ADMIN_API_KEYS: 'my-plain-admin-key' });
      throw new Error('no error');
    } catch (err) {
      expect((err as Error).message).toContain('ADMIN_API_KEYS');
      expect((err as Error).message).not.toContain('my-plain-admin-key');
    }
  });

  it('asks for all four OAuth settings together', () => {
    expect(() => loadConfig({ IRACING_USERNAME: 'a@b.c' })).toThrow(/set all four/);
  });

  it('describes the settings with secrets and URL passwords hidden', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://u:hunter2@db/x',
      IRACING_CLIENT_ID: 'id',
      IRACING_CLIENT_SECRET: 'shh-secret',
      IRACING_USERNAME: 'me@example.com',
      IRACING_PASSWORD: 'pw-secret',
    });
    const text = c.describe().join(' ');
    expect(text).toContain('IRACING_CLIENT_SECRET=***');
    expect(text).toContain('postgres://u:***@db/x');
    expect(text).not.toMatch(/hunter2|shh-secret|pw-secret/);
  });

  it('turns the sandbox off in production unless asked', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).sandbox).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_SANDBOX: 'true' }).sandbox).toBe(true);
    expect(loadConfig({ ROLE: 'worker' }).runsScheduler).toBe(false);
    expect(loadConfig({ SCHEDULER_ENABLED: 'false' }).runsScheduler).toBe(false);
  });
});
