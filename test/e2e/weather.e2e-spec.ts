// Forecasts end to end: a seasons sync queues a forecast refresh → Bull → forecast files from the replica (no
// auth, bounded concurrency) → rows in real units and a summary per race week → GraphQL. Fresh forecasts are not
// fetched again; an expired link is renewed from the season's schedule; a file in an unknown format fails alone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { forecastPayload } from '../../src/iracing/iracing.payloads.js';
import type { ReplicaDataset } from '../../offline/datasets.js';
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { forecastRows, summarise } from '../../src/weather/weather.units.js';
import { ADMIN_KEY, startHarness, SYNC_RUN_FIELDS } from '../support/harness.js';
import type { Harness, SyncRunView } from '../support/harness.js';
import { SAMPLES_DIR } from '../support/test-env.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// The world is anchored on the current week, so some weeks are always still to come.
const NOW = new Date();
const CONCURRENCY = 4;
const recorded = JSON.parse(readFileSync(join(SAMPLES_DIR, 'weather-forecast.json'), 'utf8')) as unknown[];

/** The synthetic world, plus the recorded forecast file and one in a format nobody knows. */
function dataset(): ReplicaDataset & { synthetic: ReplicaDataset } {
  const synthetic = syntheticDataset({ seed: 5, scale: 0.1, now: NOW });
  return {
    synthetic,
    resolve: (endpoint, params, ctx) => synthetic.resolve(endpoint, params, ctx),
    file: (path, ctx) => {
      if (path === 'recorded/weather-forecast.json') return recorded;
      if (path === 'broken/forecast.json') return { forecast: 'coming soon' };
      return synthetic.file?.(path, ctx);
    },
  };
}

const SYNC_SEASONS = `mutation { syncSeasons { ${SYNC_RUN_FIELDS} } }`;
const REFRESH = `mutation($input: RefreshForecastsInput) { refreshForecasts(input: $input) { ${SYNC_RUN_FIELDS} } }`;

describe('forecasts (end to end)', () => {
  let h: Harness;
  const data = dataset();

  const refresh = async (input: Raw = {}): Promise<SyncRunView> => {
    const r = await h.data<{ refreshForecasts: SyncRunView }>(REFRESH, { input }, ADMIN_KEY);
    return h.waitForRun(r.refreshForecasts.id);
  };
  const byEntity = (r: SyncRunView) => Object.fromEntries(r.countsByEntity.map((c) => [c.entity, c]));
  const one = async (sql: string, params: unknown[] = []) => ((await h.db.query(sql, params)) as Raw[])[0];
  const fileOf = (url: string) => new URL(url).pathname.replace(/^\/files\//, '');

  beforeAll(async () => {
    h = await startHarness(
      { dataset: data, now: () => NOW, fileLatencyMs: 5 },
      { FORECAST_CONCURRENCY: String(CONCURRENCY) },
    );
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refreshes the forecasts after a season sync, with bounded concurrency, in real units', async () => {
    const seasons = await h.data<{ syncSeasons: SyncRunView }>(SYNC_SEASONS, {}, ADMIN_KEY);
    expect((await h.waitForRun(seasons.syncSeasons.id)).status).toBe('SUCCEEDED');
    // The worker queued the forecast refresh itself.
    let queued: Raw | undefined;
    for (let i = 0; i < 100 && !queued; i++) {
      queued = await one(`SELECT id, trigger FROM sync_run WHERE kind = 'FORECASTS'`);
      if (!queued) await new Promise((r) => setTimeout(r, 100));
    }
    expect(queued?.trigger).toBe('SYNC');
    const run = await h.waitForRun(queued?.id as number);
    expect(run.errors).toEqual([]);
    expect(run.status).toBe('SUCCEEDED');

    const weeks = (await h.db.query(
      `SELECT id, weather_url, forecast_fetched_at, forecast_min_air_temp_c, forecast_max_air_temp_c,
              forecast_max_precip_chance_pct, forecast_rain_possible, forecast_max_wind_ms, forecast_version,
              weather_version, (SELECT count(*)::int FROM weather_forecast f WHERE f.race_week_id = rw.id) AS hours
       FROM race_week rw WHERE end_time > now() AND weather_url IS NOT NULL`,
    )) as Raw[];
    expect(weeks.length).toBeGreaterThan(CONCURRENCY * 3);
    expect(weeks.every((w) => w.forecast_fetched_at !== null && w.hours > 0)).toBe(true);
    expect(byEntity(run).race_week_forecast.updated).toBe(weeks.length);
    expect(h.replica.stats.maxFilesInFlight).toBeGreaterThan(1);
    expect(h.replica.stats.maxFilesInFlight).toBeLessThanOrEqual(CONCURRENCY);
    // Weeks already over are left alone.
    expect(
      (
        await one(
          `SELECT count(*)::int AS n FROM race_week WHERE end_time <= now() AND forecast_fetched_at IS NOT NULL`,
        )
      ).n,
    ).toBe(0);

    // Each summary is the one of the file's rows that affect a session.
    for (const w of weeks.slice(0, 10)) {
      const rows = forecastRows(
        forecastPayload(
          data.synthetic.file?.(fileOf(w.weather_url), { baseUrl: h.replica.url, now: NOW }),
          '',
        ),
      );
      const s = summarise(rows);
      expect(w.hours).toBe(rows.length);
      expect({
        min: w.forecast_min_air_temp_c,
        max: w.forecast_max_air_temp_c,
        chance: w.forecast_max_precip_chance_pct,
        rain: w.forecast_rain_possible,
        wind: w.forecast_max_wind_ms,
        version: w.forecast_version,
      }).toEqual({
        min: s.min_air_temp_c,
        max: s.max_air_temp_c,
        chance: s.max_precip_chance_pct,
        rain: s.rain_possible,
        wind: s.max_wind_ms,
        version: w.weather_version,
      });
    }
  });

  it('fetches fresh forecasts again only when forced or re-versioned', async () => {
    const stale = (
      await one(`SELECT count(*)::int AS n FROM race_week WHERE end_time > now() AND weather_url IS NOT NULL`)
    ).n;
    h.replica.resetStats();
    const again = await refresh();
    expect(again.status).toBe('SUCCEEDED');
    expect(h.replica.stats.fileRequests).toBe(0);
    expect(byEntity(again).race_week_forecast).toMatchObject({ unchanged: stale, updated: 0 });

    const week = await one(
      `SELECT id, season_id FROM race_week WHERE end_time > now() AND weather_url IS NOT NULL ORDER BY id LIMIT 1`,
    );
    await h.db.query('UPDATE race_week SET forecast_version = forecast_version - 1 WHERE id = $1', [week.id]);
    h.replica.resetStats();
    const reversioned = await refresh();
    expect(h.replica.stats.fileRequests).toBe(1);
    expect(byEntity(reversioned).race_week_forecast).toMatchObject({ updated: 1, unchanged: stale - 1 });
    expect(byEntity(reversioned).weather_forecast).toMatchObject({ created: 0, updated: 0, deleted: 0 });

    h.replica.resetStats();
    const forced = await refresh({ seasonIds: [week.season_id], force: true });
    const inSeason = (
      await one('SELECT count(*)::int AS n FROM race_week WHERE season_id = $1 AND weather_url IS NOT NULL', [
        week.season_id,
      ])
    ).n;
    expect(forced.status).toBe('SUCCEEDED');
    expect(h.replica.stats.fileRequests).toBe(inSeason);
  });

  it("renews an expired link from the season's schedule, once per season", async () => {
    const weeks = (await h.db.query(
      `SELECT id, season_id, weather_url FROM race_week WHERE end_time > now() AND weather_url IS NOT NULL
       ORDER BY season_id, race_week_num LIMIT 2`,
    )) as Raw[];
    expect(weeks[0].season_id).toBe(weeks[1].season_id);
    const ids = weeks.map((w) => w.id);
    await h.db.query(
      `UPDATE race_week SET weather_url = $2 || '/files/weather/gone-' || id || '.json?X-Amz-Signature=old',
              forecast_fetched_at = NULL WHERE id = ANY($1)`,
      [ids, h.replica.url],
    );
    h.replica.resetStats();
    const r = await refresh({ raceWeekIds: ids });
    expect(r.errors).toEqual([]);
    expect(r.status).toBe('SUCCEEDED');
    expect(h.replica.stats.dataRequests['series/season_schedule']).toBe(1);
    const after = (await h.db.query(
      'SELECT id, weather_url, forecast_fetched_at FROM race_week WHERE id = ANY($1) ORDER BY season_id, race_week_num',
      [ids],
    )) as Raw[];
    expect(after.map((w) => w.weather_url)).toEqual(weeks.map((w) => w.weather_url));
    expect(after.every((w) => w.forecast_fetched_at !== null)).toBe(true);
  });

  it('keeps a file in an unknown format apart: a clear error, and the week keeps its schedule summary', async () => {
    const week = await one(
      `SELECT id, weather_summary, forecast_fetched_at, forecast_min_air_temp_c FROM race_week
       WHERE end_time > now() AND weather_summary IS NOT NULL ORDER BY id DESC LIMIT 1`,
    );
    await h.db.query(`UPDATE race_week SET weather_url = $2 || '/files/broken/forecast.json' WHERE id = $1`, [
      week.id,
      h.replica.url,
    ]);
    const r = await refresh({ raceWeekIds: [week.id] });
    expect(r.status).toBe('FAILED');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].unit).toMatch(new RegExp(`^forecast of race week ${week.id} `));
    expect(r.errors[0].message).toMatch(
      /weather_url sent a malformed payload at \(root\): expected an array/,
    );
    const after = await one(
      'SELECT weather_summary, forecast_fetched_at, forecast_min_air_temp_c FROM race_week WHERE id = $1',
      [week.id],
    );
    expect(after).toEqual({
      weather_summary: week.weather_summary,
      forecast_fetched_at: week.forecast_fetched_at,
      forecast_min_air_temp_c: week.forecast_min_air_temp_c,
    });
  });

  it('stores the recorded forecast file in real units and serves the weather through GraphQL', async () => {
    const week = await one(`SELECT id FROM race_week WHERE end_time > now() ORDER BY id LIMIT 1`);
    await h.db.query(
      `UPDATE race_week SET weather_url = $2 || '/files/recorded/weather-forecast.json' WHERE id = $1`,
      [week.id, h.replica.url],
    );
    const r = await refresh({ raceWeekIds: [week.id], force: true });
    expect(r.status).toBe('SUCCEEDED');
    const q = await h.data<Raw>(
      `query($id: Int!) { raceWeek(id: $id) {
         weatherSummary { tempLowC tempHighC windHighMs precipChancePct }
         forecastSummary { minAirTempC maxAirTempC maxPrecipChancePct rainPossible maxWindMs fetchedAt version }
         forecast { timeOffset timestamp airTempC precipChancePct relHumidityPct windSpeedMs pressureHpa cloudCoverPct
                    precipAmountMmh affectsSession }
         trackState { leaveMarbles } } }`,
      { id: week.id },
    );
    const w = q.raceWeek;
    expect(w.forecast).toHaveLength(8);
    expect(w.forecast[0]).toEqual({
      timeOffset: -385,
      timestamp: '2024-04-13T12:00:00.000Z',
      airTempC: 18.63,
      precipChancePct: 100,
      relHumidityPct: 99.99,
      windSpeedMs: 6.07,
      pressureHpa: 967.1,
      cloudCoverPct: 76.6,
      precipAmountMmh: 4.2,
      affectsSession: false,
    });
    const session = w.forecast.filter((f: Raw) => f.affectsSession);
    expect(session).toHaveLength(2);
    expect(w.forecastSummary).toMatchObject({
      minAirTempC: Math.min(...session.map((f: Raw) => f.airTempC)),
      maxAirTempC: Math.max(...session.map((f: Raw) => f.airTempC)),
      rainPossible: true,
    });
    expect(w.weatherSummary.tempLowC).toEqual(expect.any(Number));
    expect(typeof w.trackState.leaveMarbles).toBe('boolean');
  });

  it('filters race weeks and sessions by rain and temperature', async () => {
    const q = `query($f: RaceWeekFilter) { raceWeeks(filter: $f, first: 100) { totalCount edges { node { id
      forecastSummary { rainPossible minAirTempC maxAirTempC } weatherSummary { precipChancePct tempLowC tempHighC } } } } }`;
    const from = NOW.toISOString();
    const wet = await h.data<Raw>(q, { f: { from, rainPossible: true } });
    const dry = await h.data<Raw>(q, { f: { from, rainPossible: false } });
    const all = await h.data<Raw>(q, { f: { from } });
    expect(wet.raceWeeks.totalCount).toBeGreaterThan(0);
    expect(dry.raceWeeks.totalCount).toBeGreaterThan(0);
    expect(wet.raceWeeks.totalCount + dry.raceWeeks.totalCount).toBeLessThanOrEqual(all.raceWeeks.totalCount);
    for (const e of wet.raceWeeks.edges)
      expect(e.node.forecastSummary?.rainPossible ?? e.node.weatherSummary.precipChancePct > 0).toBe(true);
    for (const e of dry.raceWeeks.edges)
      expect(e.node.forecastSummary?.rainPossible ?? e.node.weatherSummary.precipChancePct > 0).toBe(false);

    const mild = await h.data<Raw>(q, { f: { from, minAirTempC: 10, maxAirTempC: 25 } });
    for (const e of mild.raceWeeks.edges) {
      const min = e.node.forecastSummary?.minAirTempC ?? e.node.weatherSummary.tempLowC;
      const max = e.node.forecastSummary?.maxAirTempC ?? e.node.weatherSummary.tempHighC;
      expect(min).toBeGreaterThanOrEqual(10);
      expect(max).toBeLessThanOrEqual(25);
    }
    const sessions = await h.data<Raw>(
      `query($f: SessionFilter) { sessions(filter: $f, first: 20) { totalCount edges { node { raceWeek { id } } } } }`,
      { f: { from, rainPossible: true } },
    );
    const wetIds = new Set(
      (
        (await h.db.query(
          `SELECT id FROM race_week rw WHERE COALESCE(rw.forecast_rain_possible, (rw.weather_summary->>'precip_chance_pct')::float > 0)`,
        )) as Raw[]
      ).map((r) => r.id),
    );
    for (const e of sessions.sessions.edges) expect(wetIds.has(e.node.raceWeek.id)).toBe(true);

    const bad = await h.gql(`{ raceWeeks(filter: { minAirTempC: 30, maxAirTempC: 10 }) { totalCount } }`);
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0].message).toMatch(/"minAirTempC" \(30\) must not be above "maxAirTempC" \(10\)/);
    const refused = await h.gql(REFRESH, { input: { force: true } }, 'wrong-key');
    expect(refused.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});
