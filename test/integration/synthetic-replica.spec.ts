// The client's typed methods through the replica serving the synthetic world: every endpoint answers in a shape
// the payload checks (docs/architecture.md §5.5) accept, and the ids of one endpoint resolve at the others.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { IracingClient } from '../../src/iracing/iracing.client.js';
import { checkPart, seasonDetail } from '../../src/iracing/iracing.payloads.js';
import { DEFAULT_TEST_CREDENTIALS, OfflineReplica } from '../../offline/replica.js';
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { TEST_REDIS_URL } from '../support/test-env.js';

const NOW = new Date('2026-11-19T15:00:00Z');

describe('IracingClient against the synthetic world', () => {
  const redis = new Redis(TEST_REDIS_URL);
  const replica = new OfflineReplica({
    dataset: syntheticDataset({ seed: 7, scale: 1, now: NOW }),
    credentials: DEFAULT_TEST_CREDENTIALS,
    rateLimit: null,
    now: () => NOW,
  });
  const prefix = `simlane-test-synthetic-${randomUUID().slice(0, 8)}`;
  let client: IracingClient;

  beforeAll(async () => {
    await replica.start();
    client = new IracingClient(
      undefined,
      {
        apiUrl: replica.url,
        oauthUrl: replica.url,
        clientId: DEFAULT_TEST_CREDENTIALS.clientId,
        clientSecret: DEFAULT_TEST_CREDENTIALS.clientSecret,
        username: DEFAULT_TEST_CREDENTIALS.username,
        password: DEFAULT_TEST_CREDENTIALS.password,
        retryBaseMs: 10,
        redisPrefix: prefix,
      },
      redis,
    );
  });
  afterAll(async () => {
    await replica.stop();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('serves seasons, schedules, past seasons and the race guide with ids that agree', async () => {
    const [series, seasons, cars, tracks] = await Promise.all([
      client.getSeries(),
      client.getSeasons(),
      client.getCars(),
      client.getTracks(),
    ]);
    expect(series.length).toBeGreaterThan(100);
    expect(seasons.length).toBeGreaterThan(100);
    const seriesIds = new Set(series.map((s) => s.series_id));
    const trackIds = new Set(tracks.map((t) => t.track_id));
    const carIds = new Set(cars.map((c) => c.car_id));
    for (const [i, envelope] of seasons.entries()) {
      const season = checkPart('series/seasons', `[${i}]`, envelope, seasonDetail);
      expect(seriesIds.has(season.series_id)).toBe(true);
      // 8, 12 or 13 weeks (13 with a week of the season break); weeks numbered from 0
      expect([8, 12, 13]).toContain(season.schedules?.length);
      for (const week of season.schedules ?? []) {
        expect(trackIds.has(week.track.track_id)).toBe(true);
        for (const r of week.car_restrictions ?? []) expect(carIds.has(r.car_id)).toBe(true);
      }
    }
    const first = seasons[0];
    const schedule = await client.getSeasonSchedule(first.season_id);
    expect(schedule.schedules.map((w) => w.race_week_num)).toEqual([...Array(12).keys()]);

    const past = await client.getPastSeasons(first.series_id);
    expect(past.series.seasons.length).toBeGreaterThan(1);
    expect(past.series.seasons.every((s) => s.series_id === first.series_id)).toBe(true);

    const guide = await client.getRaceGuide({ from: NOW, includeEndAfterFrom: true });
    expect(guide.sessions.length).toBeGreaterThan(50);
    const bySeason = new Map(seasons.map((s) => [s.season_id, s]));
    for (const session of guide.sessions.slice(0, 200)) {
      const season = bySeason.get(session.season_id);
      expect(season?.series_id).toBe(session.series_id);
      expect(season?.schedules?.[session.race_week_num]).toBeDefined();
    }
  });

  it('serves results, chunked lap data and search results for finished sessions', async () => {
    const found = await client.searchSeriesResults({
      finishRangeBegin: new Date(NOW.getTime() - 24 * 3_600_000),
      finishRangeEnd: NOW,
    });
    expect(found.rows.length).toBeGreaterThan(500);
    expect(found.header.chunk_count).toBeGreaterThan(1);
    expect(new Set(found.rows.map((r) => r.subsession_id)).size).toBe(found.rows.length);

    const row = found.rows[0];
    const result = await client.getResult(row.subsession_id);
    expect(result.subsession_id).toBe(row.subsession_id);
    expect(result.season_id).toBe(row.season_id);
    expect(result.session_results.length).toBeGreaterThanOrEqual(1);
    const race = result.session_results[result.session_results.length - 1];
    expect(race.results.length).toBeGreaterThan(0);

    const laps = await client.getLapData({
      subsessionId: row.subsession_id,
      simsessionNumber: race.simsession_number,
    });
    expect(laps.rows.length).toBeGreaterThan(0);
    expect(laps.rows.length).toBe(
      (laps.header.chunk_info as { rows?: number } | undefined)?.rows ?? laps.rows.length,
    );

    const seasonResults = await client.getSeasonResults({
      seasonId: row.season_id,
      raceWeekNum: row.race_week_num,
    });
    expect(seasonResults.results_list.some((r) => r.subsession_id === row.subsession_id)).toBe(true);
  });

  it('serves the account, members, summaries, recent races and forecast files', async () => {
    const me = await client.getMemberInfo();
    expect(me.car_packages?.length).toBeGreaterThan(0);
    expect(me.track_packages?.length).toBeGreaterThan(0);

    const members = await client.getMembers([me.cust_id]);
    expect(members.members.map((m) => m.cust_id)).toEqual([me.cust_id]);
    expect((await client.getMemberSummary(me.cust_id)).cust_id).toBe(me.cust_id);
    const recent = await client.getMemberRecentRaces(me.cust_id);
    expect(recent.cust_id).toBe(me.cust_id);
    if (recent.races.length > 0) {
      const result = await client.getResult(recent.races[0].subsession_id);
      const drivers = result.session_results.flatMap((s) =>
        s.results.flatMap((r) => [r.cust_id, ...(r.driver_results ?? []).map((d) => d.cust_id)]),
      );
      expect(drivers).toContain(me.cust_id);
    }

    const [season] = await client.getSeasons();
    const url = checkPart('series/seasons', '[0]', season, seasonDetail).schedules?.[0].weather?.weather_url;
    expect(url).toMatch(/^http/);
    const forecast = await client.getForecast(url as string);
    expect(forecast.length).toBeGreaterThan(10);
    expect(forecast.some((r) => r.affects_session === true)).toBe(true);
    expect(replica.stats.fileRequests).toBeGreaterThan(0);

    expect((await client.getEventTypes()).map((e) => e.value)).toEqual(expect.arrayContaining([2, 3, 4, 5]));
  });
});
