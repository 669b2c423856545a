import { ConfigError, loadConfig } from './app-config.js';
import { cronProblem } from './setting-decorators.js';

/** The message of the ConfigError that loadConfig throws for `env`. */
function problems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error('no ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
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

  it('never echoes a URL password in a config error', () => {
    const msg = problems({
      DATABASE_URL: 'mysql://root:pg-secret-9@db/x',
      REDIS_URL: 'http://:redis-secret-9@r',
    });
    expect(msg).toMatch(/DATABASE_URL: must be a postgres:\/\/ URL \(got "mysql:\/\/root:\*\*\*@db\/x"\)/);
    expect(msg).toMatch(/REDIS_URL: must be a redis:\/\/ URL/);
    expect(msg).not.toMatch(/pg-secret|redis-secret/);
  });

  it('validates REDIS_STARTUP_TIMEOUT_MS', () => {
    expect(loadConfig({}).env.REDIS_STARTUP_TIMEOUT_MS).toBe(15_000);
    expect(problems({ REDIS_STARTUP_TIMEOUT_MS: '5' })).toMatch(
      /REDIS_STARTUP_TIMEOUT_MS: .*not be less than 100/,
    );
  });
});

describe('loadConfig: schedules and URLs', () => {
  it('parses every CRON_* setting at start and names the variable of a bad one', () => {
    expect(problems({ CRON_SEASONS: '61 * * * *' })).toMatch(
      /CRON_SEASONS: must be a cron expression .*Field value \(61\) is out of range \(got "61 \* \* \* \*"\)/,
    );
    expect(problems({ CRON_RESULTS: '*/0 * * * *' })).toMatch(/CRON_RESULTS: .*step of zero/);
    expect(problems({ CRON_CATALOG: '0 5 * * 8' })).toMatch(/CRON_CATALOG: .*out of range/);
    expect(problems({ CRON_FORECASTS: 'a b c d e' })).toMatch(/CRON_FORECASTS: .*alias/i);
    expect(problems({ CRON_PAST_SEASONS: '0 0 30 2 *' })).toMatch(/CRON_PAST_SEASONS: .*never fires/);
    expect(problems({ CRON_RACE_GUIDE: 'every minute' })).toMatch(/CRON_RACE_GUIDE: .*5 or 6 fields/);
    // Several at once, each named.
    const many = problems({ CRON_SEASONS: '99 * * * *', CRON_CATALOG: '* * * 13 *' });
    expect(many).toMatch(/CRON_SEASONS/);
    expect(many).toMatch(/CRON_CATALOG/);
    // The defaults and the usual forms pass, 6 fields (seconds) included.
    expect(() =>
      loadConfig({
        CRON_SEASONS: '0 6 * * 2,3,5',
        CRON_RESULTS: '*/10 * * * *',
        CRON_CATALOG: '30 0 5 * * *',
      }),
    ).not.toThrow();
    expect(cronProblem('0 0 29 2 *')).toBeUndefined(); // leap years exist
  });

  it('takes only http and https URLs for the iRacing endpoints', () => {
    expect(problems({ IRACING_API_URL: 'ftp://members-ng.iracing.com' })).toMatch(
      /IRACING_API_URL: must be an http:\/\/ or https:\/\/ URL \(got "ftp:\/\/members-ng\.iracing\.com"\)/,
    );
    expect(problems({ IRACING_OAUTH_URL: 'file:///etc/passwd' })).toMatch(
      /IRACING_OAUTH_URL: must be an http/,
    );
    expect(problems({ IRACING_OAUTH_URL: 'https://' })).toMatch(/IRACING_OAUTH_URL/);
    expect(problems({ IRACING_API_URL: 'members-ng.iracing.com' })).toMatch(/IRACING_API_URL/);
    const ok = loadConfig({
      IRACING_API_URL: 'http://127.0.0.1:4400',
      IRACING_OAUTH_URL: 'HTTPS://oauth.example',
    });
    expect(ok.env.IRACING_API_URL).toBe('http://127.0.0.1:4400');
  });
});

describe('AppConfig', () => {
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

  it('describes REDIS_URL and DATABASE_URL without their passwords, in every form', () => {
    const c = loadConfig({
      REDIS_URL: 'redis://:redis-secret-1@cache:6379?password=redis-secret-2',
      DATABASE_URL: 'postgres://app:pg-secret-1@db/x?sslpassword=pg-secret-2',
    });
    const text = c.describe().join(' ');
    expect(text).toContain('REDIS_URL=redis://:***@cache:6379?password=***');
    expect(text).toContain('DATABASE_URL=postgres://app:***@db/x?sslpassword=***');
    expect(text).not.toMatch(/redis-secret|pg-secret/);
  });

  it('warns when production runs the api without ADMIN_API_KEYS', () => {
    const [warning] = loadConfig({ NODE_ENV: 'production' }).startupWarnings;
    expect(warning).toMatch(/ADMIN_API_KEYS/);
    expect(warning).toMatch(/mutation.*Bull Board/);
    expect(loadConfig({ NODE_ENV: 'production', ADMIN_API_KEYS: 'a'.repeat(64) }).startupWarnings).toEqual(
      [],
    );
    expect(loadConfig({}).startupWarnings).toEqual([]);
    expect(loadConfig({ NODE_ENV: 'production', ROLE: 'worker' }).startupWarnings).toEqual([]);
  });
});

describe('loadConfig: account linking', () => {
  const key = (byte: number, length = 32) => Buffer.alloc(length, byte).toString('base64');
  const K1 = key(1);
  const K2 = key(2);
  const URIS = 'https://app.example.com/auth/iracing/callback, http://localhost:5173/callback';

  it('changes nothing when neither setting is given', () => {
    const c = loadConfig({});
    expect(c.accountLinkingEnabled).toBe(false);
    expect(c.iracingRedirectUris).toEqual([]);
    expect(c.tokenEncryptionKeys).toEqual([]);
  });

  it('turns linking on with redirect URIs and a key ring, the first key first', () => {
    const c = loadConfig({ IRACING_REDIRECT_URIS: URIS, TOKEN_ENCRYPTION_KEY: ` k2:${K2} , k1:${K1}` });
    expect(c.accountLinkingEnabled).toBe(true);
    expect(c.iracingRedirectUris).toEqual([
      'https://app.example.com/auth/iracing/callback',
      'http://localhost:5173/callback',
    ]);
    expect(c.tokenEncryptionKeys.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(c.tokenEncryptionKeys[0].key.symmetricKeySize).toBe(32);
    const text = c.describe().join(' ');
    expect(text).toContain('TOKEN_ENCRYPTION_KEY=***');
    expect(text).not.toContain(K1);
    expect(text).toContain('IRACING_REDIRECT_URIS=https://app.example.com/auth/iracing/callback');
  });

  it('stops at start when linking is on without TOKEN_ENCRYPTION_KEY', () => {
    expect(problems({ IRACING_REDIRECT_URIS: URIS })).toMatch(
      /TOKEN_ENCRYPTION_KEY: required when IRACING_REDIRECT_URIS is set/,
    );
  });

  it('names what is wrong with TOKEN_ENCRYPTION_KEY, never echoing a key', () => {
    const cases: [string, RegExp][] = [
      [K1, /TOKEN_ENCRYPTION_KEY: entry 1 of 1 has no ':'/],
      [`:${K1}`, /TOKEN_ENCRYPTION_KEY: entry 1 of 1 has an empty key id/],
      [`k1:${K1},k1:${K2}`, /TOKEN_ENCRYPTION_KEY: entry 2 of 2 repeats key id "k1"/],
      [`k1:${key(3, 16)}`, /TOKEN_ENCRYPTION_KEY: key id "k1" \(entry 1 of 1\): the key is 16 bytes/],
      [`k1:${key(4, 33)}`, /the key is 33 bytes, AES-256 needs exactly 32/],
      [`k1:not*base64`, /TOKEN_ENCRYPTION_KEY: key id "k1" \(entry 1 of 1\): the key is not valid base64/],
    ];
    for (const [value, why] of cases) {
      // Malformed is refused whether or not linking is on.
      const envs: Record<string, string>[] = [
        { TOKEN_ENCRYPTION_KEY: value },
        { TOKEN_ENCRYPTION_KEY: value, IRACING_REDIRECT_URIS: URIS },
      ];
      for (const env of envs) {
        const msg = problems(env);
        expect(msg).toMatch(why);
        for (const material of [K1, K2, key(3, 16), key(4, 33), 'not*base64'])
          expect(msg).not.toContain(material);
      }
    }
  });

  it('takes only absolute http(s) callback URLs in IRACING_REDIRECT_URIS', () => {
    const withKey = (uris: string) => ({ IRACING_REDIRECT_URIS: uris, TOKEN_ENCRYPTION_KEY: `k1:${K1}` });
    expect(problems(withKey('/auth/callback'))).toMatch(
      /IRACING_REDIRECT_URIS: .*the URL is not an absolute URL/,
    );
    expect(problems(withKey('https://a.example/cb, ftp://b.example/cb'))).toMatch(
      /IRACING_REDIRECT_URIS: .*entry 2 is not http:\/\/ or https:\/\//,
    );
    expect(problems(withKey('https://a.example/cb#frag'))).toMatch(/must not have a fragment/);
    expect(problems(withKey('https://a.example/cb,,https://b.example/cb'))).toMatch(/entry 2 is empty/);
    const creds = problems(withKey('https://user:cb-secret@a.example/cb'));
    expect(creds).toMatch(/must not carry a user or password/);
    expect(creds).not.toContain('cb-secret');
  });
});
