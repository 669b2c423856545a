// IracingClient against the offline replica, with real Redis for the shared token, rate limit and cache:
// each behaviour of docs/architecture.md §5.1–§5.5 in turn.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { IracingClient } from '../../src/iracing/iracing.client.js';
import {
  IracingAuthError,
  IracingHttpError,
  IracingMaintenanceError,
  IracingPayloadError,
  IracingUnavailableError,
} from '../../src/iracing/iracing.errors.js';
import { ChunkedPayload, recordedDataset } from '../../offline/datasets.js';
import type { ReplicaDataset } from '../../offline/datasets.js';
import { DEFAULT_TEST_CREDENTIALS, OfflineReplica } from '../../offline/replica.js';
import type { ReplicaOptions } from '../../offline/replica.js';
import { RequestStats, runWithStats } from '../../src/iracing/request-stats.js';
import { SAMPLES_DIR, TEST_REDIS_URL } from '../support/test-env.js';

const sample = <T>(f: string) => JSON.parse(readFileSync(join(SAMPLES_DIR, f), 'utf8')) as T;
const PREFIX = `${process.env.QUEUE_PREFIX ?? 'simlane-test'}-client`;

/** The recorded samples plus a large synthetic chunked endpoint and a cheap `bench/ping`. */
function dataset(): ReplicaDataset {
  const recorded = recordedDataset(SAMPLES_DIR);
  const many = Array.from({ length: 1234 }, (_, i) => ({ lap_number: i, lap_time: 900000 + i, cust_id: 7 }));
  return {
    resolve(endpoint, params, ctx) {
      if (endpoint === 'results/lap_data' && params.get('subsession_id') === '999') {
        return new ChunkedPayload({ success: true, session_info: { subsession_id: 999 } }, many, {
          rowsPerChunk: 100,
        });
      }
      if (endpoint === 'bench/ping') return { ok: true };
      return recorded.resolve(endpoint, params, ctx);
    },
  };
}

describe('IracingClient against the offline replica', () => {
  const redis = new Redis(TEST_REDIS_URL);
  let replica: OfflineReplica;
  let prefix: string;

  const client = (extra: Record<string, unknown> = {}) =>
    new IracingClient(
      undefined,
      {
        apiUrl: replica.url,
        oauthUrl: replica.url,
        clientId: DEFAULT_TEST_CREDENTIALS.clientId,
        clientSecret: DEFAULT_TEST_CREDENTIALS.clientSecret,
        username: DEFAULT_TEST_CREDENTIALS.username,
        password: DEFAULT_TEST_CREDENTIALS.password,
        retryBaseMs: 10,
        maxAttempts: 3,
        redisPrefix: prefix,
        ...extra,
      },
      redis,
    );
  const start = async (options: Partial<ReplicaOptions> = {}) => {
    await replica?.stop();
    replica = new OfflineReplica({
      dataset: dataset(),
      credentials: DEFAULT_TEST_CREDENTIALS,
      rateLimit: null,
      ...options,
    });
    await replica.start();
  };
  const ping = (c: IracingClient, i = 0) =>
    c.data('bench/ping', { i }, (v) => v as { ok: boolean }, { refresh: true });

  beforeEach(async () => {
    prefix = `${PREFIX}-${randomUUID().slice(0, 8)}`;
    await start();
  });
  afterAll(async () => {
    await replica?.stop();
    const keys = await redis.keys(`${PREFIX}-*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  describe('payload shapes', () => {
    it('concatenates the recorded lap_data chunks under their header', async () => {
      const laps = await client().getLapData({ subsessionId: 43625377, simsessionNumber: 0, custId: 341554 });
      expect(laps.rows).toEqual(sample('results-lap_data.chunk.json'));
      expect(laps.header.session_info).toMatchObject({ subsession_id: 43625377 });
      expect(laps.header.chunk_count).toBe(1);
    });

    it('fetches many chunks with bounded concurrency and keeps their order', async () => {
      const laps = await client({ chunkConcurrency: 3 }).getLapData({
        subsessionId: 999,
        simsessionNumber: 0,
      });
      expect(laps.header.chunk_count).toBe(13);
      expect(laps.rows.map((r) => r.lap_number)).toEqual(Array.from({ length: 1234 }, (_, i) => i));
    });

    it('reads a direct {type, data: {chunk_info}} answer (results/search_series)', async () => {
      const found = await client().searchSeriesResults({ seasonYear: 2025, seasonQuarter: 4 });
      expect(found.rows).toEqual(sample('results-search_series.rows.json'));
      expect(found.header.success).toBe(true);
      expect(replica.stats.linkRequests).toBe(1); // the one chunk file; no link for the direct answer
    });

    it('reads direct answers (constants) and link answers alike', async () => {
      expect(await client().getEventTypes()).toEqual(sample('constants-event_types.json'));
      const guide = await client().getRaceGuide();
      expect(guide.sessions.length).toBeGreaterThan(0);
    });

    it('retries a truncated chunk and still returns every row', async () => {
      replica.addFault({ endpoint: 'results/lap_data', kind: 'truncated-chunk', times: 1 });
      const laps = await client().getLapData({ subsessionId: 999, simsessionNumber: 0 });
      expect(laps.rows).toHaveLength(1234);
      expect(replica.stats.linkRequests).toBe(15); // the header, 13 chunks, the truncated one again
    });

    it('fails a malformed payload with the endpoint and the field path', async () => {
      replica.override('car/get', (cars) =>
        (cars as Record<string, unknown>[]).map((c, i) => (i === 7 ? { ...c, car_name: 42 } : c)),
      );
      await expect(client().getCars()).rejects.toThrow(
        new IracingPayloadError('car/get', '[7].car_name', 'expected a string, got number 42'),
      );
      replica.clearOverrides();
      // A file cut short once is asked for again; one that stays unreadable is a payload error.
      replica.addFault({ endpoint: 'track/get', kind: 'malformed-json', times: 1 });
      const before = replica.stats.dataRequests['track/get'] ?? 0;
      expect((await client().getTracks({ refresh: true })).length).toBeGreaterThan(0);
      expect(replica.stats.dataRequests['track/get']).toBe(before + 2);
      replica.addFault({ endpoint: 'track/get', kind: 'malformed-json' });
      await expect(client().getTracks({ refresh: true })).rejects.toThrow(
        /track\/get sent a malformed payload at \(root\): invalid JSON/,
      );
      replica.clearFaults();
    });

    it('answers a 4xx at once, naming the endpoint and parameters but never a credential', async () => {
      const err = await client()
        .getSeasonSchedule(5935)
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(err).toBeNull(); // recorded sample exists
      const missing = await client()
        .data('series/unknown_method', { season_id: 1 }, (v) => v)
        .catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(IracingHttpError);
      expect((missing as Error).message).toBe(
        'iRacing series/unknown_method (season_id=1) answered HTTP 404: Not Found',
      );
      expect(replica.stats.dataRequests['series/unknown_method']).toBe(1);
      for (const secret of Object.values(DEFAULT_TEST_CREDENTIALS)) {
        expect((missing as Error).message).not.toContain(secret);
      }
    });
  });

  describe('links', () => {
    it('asks again for a link that expired before it was fetched', async () => {
      replica.addFault({ endpoint: 'carclass/get', kind: 'expired-link', times: 1 });
      const classes = await client().getCarClasses();
      expect(classes).toHaveLength(251);
      expect(replica.stats.dataRequests['carclass/get']).toBe(2);
    });
  });

  describe('authentication', () => {
    it('logs in once with the masked credentials and reuses the token', async () => {
      const c = client();
      await ping(c, 1);
      await ping(c, 2);
      expect(replica.stats.tokenRequests).toEqual({ password_limited: 1 });
    });

    it('refreshes once on a 401, then carries on', async () => {
      const c = client();
      await ping(c, 1);
      replica.expireAccessTokens();
      await ping(c, 2);
      expect(replica.stats.tokenRequests).toEqual({ password_limited: 1, refresh_token: 1 });
    });

    it('logs in once when the refreshed token is refused too, then gives up with a clear error', async () => {
      const c = client();
      await ping(c, 1);
      replica.addFault({ endpoint: 'bench/ping', kind: 'unauthorized', times: 2 });
      await ping(c, 2);
      expect(replica.stats.tokenRequests).toEqual({ password_limited: 2, refresh_token: 1 });
      replica.addFault({ endpoint: 'bench/ping', kind: 'unauthorized', times: 3 });
      await expect(ping(c, 3)).rejects.toThrow(IracingAuthError);
      expect(replica.stats.tokenRequests.password_limited).toBe(3);
    });

    it('never exceeds the full-login budget', async () => {
      const c = client({ loginsPerHour: 1 });
      await ping(c, 1);
      replica.addFault({ endpoint: 'bench/ping', kind: 'unauthorized', times: 2 });
      await expect(ping(c, 2)).rejects.toThrow(/login budget spent \(1 full logins in the last hour\)/);
      expect(replica.stats.tokenRequests.password_limited).toBe(1);
    });

    it('lets exactly one of two processes refresh; the other waits for the shared token', async () => {
      const a = client();
      const b = client();
      await ping(a, 1);
      await ping(b, 2);
      expect(replica.stats.tokenRequests).toEqual({ password_limited: 1 });
      replica.expireAccessTokens();
      await Promise.all([ping(a, 3), ping(b, 4), ping(a, 5), ping(b, 6)]);
      expect(replica.stats.tokenRequests).toEqual({ password_limited: 1, refresh_token: 1 });
    });

    it('refuses a bad password without retrying the login', async () => {
      const c = client({ password: 'wrong-password' });
      const err = await ping(c).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IracingAuthError);
      expect((err as Error).message).toMatch(/password_limited grant refused \(invalid_grant\)/);
      expect((err as Error).message).not.toContain('wrong-password');
      expect(replica.stats.tokenRequests).toEqual({ password_limited: 1 });
    });
  });

  describe('rate limit', () => {
    it('paces requests within the budget: no 429, the waiting counted', async () => {
      await start({ rateLimit: { limit: 6, windowMs: 1000 } });
      const c = client({ rateLimitMargin: 1 });
      const stats = new RequestStats();
      const t0 = Date.now();
      await runWithStats(stats, () => Promise.all(Array.from({ length: 12 }, (_, i) => ping(c, i))));
      expect(replica.stats.rateLimited).toBe(0);
      expect(stats.apiCalls).toBe(12);
      expect(stats.rateLimitWaitMs).toBeGreaterThan(0);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    });

    it('on a 429 waits for the reset, then succeeds', async () => {
      await start({ rateLimit: { limit: 100, windowMs: 1500 } });
      const c = client();
      await ping(c, 0);
      replica.addFault({ endpoint: 'bench/ping', kind: 'rate-limit', times: 1 });
      const t0 = Date.now();
      await expect(ping(c, 1)).resolves.toEqual({ ok: true });
      expect(Date.now() - t0).toBeGreaterThan(200);
      expect(replica.stats.rateLimited).toBe(1);
    });
  });

  describe('failures', () => {
    it('raises a maintenance error (for the job to delay) on 503 Site Maintenance', async () => {
      replica.addFault({ endpoint: 'bench/ping', kind: 'maintenance', times: 1 });
      const err = await ping(client({ maintenanceDelayMs: 1234 })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IracingMaintenanceError);
      expect((err as IracingMaintenanceError).retryAfterMs).toBe(1234);
    });

    it('retries 5xx, HTML pages and timeouts, then succeeds', async () => {
      replica.addFault({ endpoint: 'bench/ping', kind: 'status', status: 500, times: 1 });
      replica.addFault({ endpoint: 'bench/ping', kind: 'html', times: 1 });
      await expect(ping(client())).resolves.toEqual({ ok: true });
      expect(replica.stats.dataRequests['bench/ping']).toBe(3);
      replica.addFault({ endpoint: 'bench/ping', kind: 'slow', delayMs: 1500, times: 1 });
      await expect(ping(client({ timeoutMs: 300 }))).resolves.toEqual({ ok: true });
    });

    it('gives up after the attempts are spent, naming the endpoint', async () => {
      replica.addFault({ endpoint: 'bench/ping', kind: 'status', status: 502 });
      const err = await ping(client()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IracingUnavailableError);
      expect((err as Error).message).toBe('iRacing bench/ping is unavailable: HTTP 502 (after 3 attempts)');
      expect(replica.stats.dataRequests['bench/ping']).toBe(3);
    });
  });

  describe('replica faults and tokens', () => {
    it('plays a scripted sequence of faults in order', async () => {
      replica.addSequence('bench/ping', ['status', 'none', 'html']);
      const c = client({ maxAttempts: 1 });
      await expect(ping(c, 1)).rejects.toThrow(/HTTP 500/);
      await expect(ping(c, 2)).resolves.toEqual({ ok: true });
      await expect(ping(c, 3)).rejects.toThrow(/HTML error page/);
      await expect(ping(c, 4)).resolves.toEqual({ ok: true });
    });

    it('draws faults at a rate, the same way for the same seed', async () => {
      const failures = async () => {
        await start({ seed: 7 });
        replica.addFault({ endpoint: 'bench/ping', kind: 'status', status: 500, rate: 0.3 });
        const c = client({ maxAttempts: 1 });
        const outcomes: boolean[] = [];
        for (let i = 0; i < 100; i++)
          outcomes.push(
            await ping(c, i).then(
              () => true,
              () => false,
            ),
          );
        return outcomes;
      };
      const a = await failures();
      const b = await failures();
      expect(a).toEqual(b);
      const failed = a.filter((ok) => !ok).length;
      expect(failed).toBeGreaterThan(15);
      expect(failed).toBeLessThan(45);
    });

    it('accepts IRACING_ACCESS_TOKEN instead of a login, and says clearly when it is refused', async () => {
      await start({ staticTokens: ['user-own-oauth-token'] });
      const own = client({ accessToken: 'user-own-oauth-token', clientId: undefined, password: undefined });
      await expect(ping(own)).resolves.toEqual({ ok: true });
      expect(replica.stats.tokenRequests).toEqual({});
      const stale = client({ accessToken: 'revoked-token', clientId: undefined, password: undefined });
      const err = await ping(stale).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IracingAuthError);
      expect((err as Error).message).toMatch(/IRACING_ACCESS_TOKEN was refused/);
      expect((err as Error).message).not.toContain('revoked-token');
    });
  });

  describe('cache', () => {
    it('serves a repeated call from Redis and bypasses it with refresh', async () => {
      const c = client();
      const stats = new RequestStats();
      await runWithStats(stats, async () => {
        await c.getCars();
        await c.getCars();
        await client().getCars(); // another process, same cache
      });
      expect(replica.stats.dataRequests['car/get']).toBe(1);
      expect(stats.cacheHits).toBe(2);
      await c.getCars({ refresh: true });
      expect(replica.stats.dataRequests['car/get']).toBe(2);
      const ttl = await redis.ttl((await redis.keys(`${prefix}:iracing:cache:car/get:*`))[0]);
      expect(ttl).toBeGreaterThan(23 * 3600);
    });

    it('keys by sorted parameters, so their order does not matter', async () => {
      const c = client();
      await c.data('series/season_schedule', { season_id: 5935, a: 1 }, (v) => v);
      await c.data('series/season_schedule', { a: 1, season_id: 5935 }, (v) => v);
      expect(replica.stats.dataRequests['series/season_schedule']).toBe(1);
    });
  });
});
