// Forecast time end to end: the forecast file's `timestamp` and the schedule's `weather.simulated_start_time`
// carry no zone (the simulated local time at the track), so they are stored as given in a `timestamp without time
// zone` and served as such (`ForecastHour.simulatedTime`, `RaceWeek.simulatedStartTime`), whatever the zone of
// the process that imports or serves them (a worker and api in America/New_York, process and PostgreSQL session,
// run as a child process) and of the database session that reads them. Also: the deprecated fields keep their old
// answers, the forecast summary picks hours by `affects_session` (never by time), and the migration converts
// rows written the old way (a `Z` appended, stored as an instant) without changing their wall-clock value.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { bulkUpsert } from '../../src/core/database/bulk-upsert.js';
import { Weather1795314568847 } from '../../src/core/database/migrations/1795314568847-Weather.js';
import { ForecastLocalTime1795319000000 } from '../../src/core/database/migrations/1795319000000-ForecastLocalTime.js';
import type { ReplicaDataset } from '../../offline/datasets.js';
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { ADMIN_KEY, startHarness, SYNC_RUN_FIELDS } from '../support/harness.js';
import type { GqlResult, Harness, SyncRunView } from '../support/harness.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const NOW = new Date();
const NEW_YORK = 'America/New_York';

/** One hour of a forecast file, in iRacing's shape and integer encodings (°C×100, %×100, hPa×10, …). */
const hour = (index: number, timestamp: string, offset: number, airTempC: number, affects: boolean): Raw => ({
  time_offset: offset,
  raw_air_temp: Math.round((airTempC - 6) * 100),
  precip_chance: affects ? 2500 : 0,
  index,
  is_sun_up: false,
  pressure: 10132,
  wind_dir: 250,
  air_temp: Math.round(airTempC * 100),
  valid_stats: true,
  affects_session: affects,
  cloud_cover: 620,
  rel_humidity: 8100,
  wind_speed: 340,
  allow_precip: true,
  timestamp,
  precip_amount: 0,
});

/** A February evening, simulated by a week that races in September: the race starts at 17:00 local. */
const FEBRUARY = {
  simulatedStartTime: '2026-02-14T17:00:00',
  file: [
    hour(0, '2026-02-14T15:00:00', -120, 9, false),
    hour(1, '2026-02-14T16:00:00', -60, 8, false),
    hour(2, '2026-02-14T17:00:00', 0, 6.5, true),
    hour(3, '2026-02-14T18:00:00', 60, 5.2, true),
    hour(4, '2026-02-14T19:00:00', 120, 4, false),
    hour(5, '2026-02-14T20:00:00', 180, 3, false),
    hour(6, '2026-02-14T21:00:00', 240, 2.5, false),
  ],
};

/** A night whose 02:00–03:00 does not exist in New York (DST starts): a simulated clock has it all the same. */
const DST_NIGHT = {
  simulatedStartTime: '2026-03-08T02:30:00',
  file: [
    hour(0, '2026-03-08T00:00:00', -150, 3, false),
    hour(1, '2026-03-08T01:00:00', -90, 2.5, false),
    hour(2, '2026-03-08T02:00:00', -30, 2, true),
    hour(3, '2026-03-08T03:00:00', 30, 1.5, true),
    hour(4, '2026-03-08T04:00:00', 90, 1, false),
  ],
};

const FIXTURES: Record<string, typeof FEBRUARY> = {
  'fixtures/february-evening.json': FEBRUARY,
  'fixtures/dst-night.json': DST_NIGHT,
};

/** The synthetic world, plus the fixture forecast files. */
function dataset(): ReplicaDataset {
  const synthetic = syntheticDataset({ seed: 11, scale: 0.1, now: NOW });
  return {
    resolve: (endpoint, params, ctx) => synthetic.resolve(endpoint, params, ctx),
    file: (path, ctx) => FIXTURES[path]?.file ?? synthetic.file?.(path, ctx),
  };
}

const expectedHours = (f: typeof FEBRUARY) =>
  f.file.map((r) => ({
    simulatedTime: r.timestamp as string,
    timeOffsetMinutes: r.time_offset as number,
    timeOffset: r.time_offset as number,
    timestamp: `${r.timestamp as string}.000Z`,
    airTempC: (r.air_temp as number) / 100,
    affectsSession: r.affects_session as boolean,
  }));

const WEEK_QUERY = `query($id: Int!) { raceWeek(id: $id) {
  startTime simulatedStartTime
  forecastSummary { minAirTempC maxAirTempC maxPrecipChancePct rainPossible }
  forecast { simulatedTime timeOffsetMinutes timeOffset timestamp airTempC affectsSession } } }`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('forecast time (end to end)', () => {
  let h: Harness;
  let child: ChildProcess | undefined;
  let childLog = '';
  let childUrl = '';
  /** The season whose first two weeks simulate the fixtures (the first one series/seasons lists). */
  let seasonId: number | undefined;
  const weekIds: Record<string, number> = {};

  const one = async (sql: string, params: unknown[] = []) => ((await h.db.query(sql, params)) as Raw[])[0];
  const run = async (mutation: string, variables: Raw = {}): Promise<SyncRunView> => {
    const r = await h.data<Record<string, SyncRunView>>(mutation, variables, ADMIN_KEY);
    return h.waitForRun(Object.values(r)[0].id);
  };
  /** GraphQL through the child process (api and worker in New York time). */
  const childData = async (query: string, variables: Raw): Promise<Raw> => {
    const res = await fetch(`${childUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as GqlResult<Raw>;
    if (body.errors?.length || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
    return body.data;
  };

  beforeAll(async () => {
    // This process serves GraphQL only; every sync runs in the child's worker.
    h = await startHarness({ dataset: dataset(), now: () => NOW }, { ROLE: 'api' });
    h.replica.override('series/seasons', (payload) => {
      const seasons = payload as Raw[];
      const season = seasons[0];
      seasonId = season.season_id as number;
      for (const [num, path] of [
        [0, 'fixtures/february-evening.json'],
        [1, 'fixtures/dst-night.json'],
      ] as const) {
        const week = (season.schedules as Raw[]).find((w) => w.race_week_num === num) as Raw;
        week.weather = {
          ...week.weather,
          simulated_start_time: FIXTURES[path].simulatedStartTime,
          weather_url: `${h.replica.url}/files/${path}?X-Amz-Signature=fixture`,
        };
      }
      return seasons;
    });

    const port = await freePort();
    childUrl = `http://127.0.0.1:${port}`;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, ...h.settings })) if (v !== undefined) env[k] = v;
    const db = new URL(h.settings.DATABASE_URL as string);
    db.searchParams.set('options', `-c TimeZone=${NEW_YORK}`);
    child = spawn(process.execPath, ['dist/src/main.js'], {
      env: {
        ...env,
        TZ: NEW_YORK,
        DATABASE_URL: db.toString(),
        ROLE: 'all',
        PORT: String(port),
        MIGRATIONS_RUN: 'false',
        SCHEDULER_ENABLED: 'false',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (childLog += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (childLog += d.toString()));
    for (let i = 0; i < 300; i++) {
      if (child.exitCode !== null) break;
      const ok = await fetch(`${childUrl}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the New York process did not start:\n${childLog}`);
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await h?.close();
  });

  it('stores zone-less forecast times as given, imported by a worker in New York time', async () => {
    // The child's clock really is New York's (tzdata present): a February date is 5 hours behind UTC there.
    const probe = spawnSync(
      process.execPath,
      ['-e', 'console.log(new Date(2026, 1, 14).getTimezoneOffset())'],
      {
        env: { ...process.env, TZ: NEW_YORK },
        encoding: 'utf8',
      },
    );
    expect(probe.stdout.trim()).toBe('300');

    const seasons = await run(`mutation { syncSeasons { ${SYNC_RUN_FIELDS} } }`);
    expect(seasons.errors).toEqual([]);
    expect(seasons.status).toBe('SUCCEEDED');
    expect(seasonId).toEqual(expect.any(Number));
    const weeks = (await h.db.query(
      `SELECT id, race_week_num, weather->>'simulated_start_time' AS simulated_start_time
       FROM race_week WHERE season_id = $1 AND race_week_num IN (0, 1) ORDER BY race_week_num`,
      [seasonId],
    )) as Raw[];
    expect(weeks.map((w) => w.simulated_start_time)).toEqual([
      FEBRUARY.simulatedStartTime,
      DST_NIGHT.simulatedStartTime,
    ]);
    weekIds.february = weeks[0].id as number;
    weekIds.dst = weeks[1].id as number;

    const REFRESH = `mutation($input: RefreshForecastsInput) { refreshForecasts(input: $input) { ${SYNC_RUN_FIELDS} } }`;
    const ids = [weekIds.february, weekIds.dst];
    const refresh = await run(REFRESH, { input: { raceWeekIds: ids, force: true } });
    expect(refresh.errors).toEqual([]);
    expect(refresh.status).toBe('SUCCEEDED');

    const column = await one(
      `SELECT data_type FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name = 'weather_forecast' AND column_name = 'timestamp'`,
    );
    expect(column.data_type).toBe('timestamp without time zone');
    // The same wall-clock values in any session zone: a February evening stays a February evening.
    const qr = h.db.createQueryRunner();
    await qr.connect();
    try {
      for (const zone of ['UTC', NEW_YORK, 'Pacific/Auckland']) {
        await qr.query(`SET TimeZone TO '${zone}'`);
        for (const [key, fixture] of [
          ['february', FEBRUARY],
          ['dst', DST_NIGHT],
        ] as const) {
          const rows = (await qr.query(
            `SELECT time_offset, to_char(timestamp, 'YYYY-MM-DD"T"HH24:MI:SS') AS local, timestamp::text AS text
             FROM weather_forecast WHERE race_week_id = $1 ORDER BY time_offset`,
            [weekIds[key]],
          )) as Raw[];
          expect(rows.map((r) => [r.time_offset, r.local])).toEqual(
            fixture.file.map((f) => [f.time_offset, f.timestamp]),
          );
          expect(rows.map((r) => r.text)).toEqual(
            fixture.file.map((f) => (f.timestamp as string).replace('T', ' ')),
          );
        }
      }
    } finally {
      await qr.query('RESET TimeZone');
      await qr.release();
    }

    // A second import of the same files changes nothing (the stored values compare equal to the file's).
    const again = await run(REFRESH, { input: { raceWeekIds: ids, force: true } });
    const counts = again.countsByEntity.find((c) => c.entity === 'weather_forecast');
    expect(counts).toMatchObject({
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: FEBRUARY.file.length + DST_NIGHT.file.length,
    });
  });

  it('serves simulated local times through GraphQL, the same from a UTC and a New York process', async () => {
    for (const [key, fixture] of [
      ['february', FEBRUARY],
      ['dst', DST_NIGHT],
    ] as const) {
      const here = (await h.data<Raw>(WEEK_QUERY, { id: weekIds[key] })).raceWeek;
      const there = (await childData(WEEK_QUERY, { id: weekIds[key] })).raceWeek;
      expect(there).toEqual(here);
      expect(here.simulatedStartTime).toBe(fixture.simulatedStartTime);
      expect(here.forecast).toEqual(expectedHours(fixture));
      // The summary is over the hours iRacing flags as affecting a session, though the week's real sessions
      // (in its real week) are nowhere near these simulated dates.
      const session = fixture.file.filter((f) => f.affects_session);
      expect(here.forecastSummary).toEqual({
        minAirTempC: Math.min(...session.map((f) => (f.air_temp as number) / 100)),
        maxAirTempC: Math.max(...session.map((f) => (f.air_temp as number) / 100)),
        maxPrecipChancePct: 25,
        rainPossible: true,
      });
    }
    const february = (await h.data<Raw>(WEEK_QUERY, { id: weekIds.february })).raceWeek;
    expect(february.forecast.find((f: Raw) => f.timeOffsetMinutes === 60).simulatedTime).toBe(
      '2026-02-14T18:00:00',
    );
  });

  it('documents the new fields and deprecates the old ones with a reason', async () => {
    const q = await h.data<Raw>(`{
      hour: __type(name: "ForecastHour") { fields(includeDeprecated: true) {
        name description isDeprecated deprecationReason type { kind name ofType { name } } } }
      week: __type(name: "RaceWeek") { fields { name description type { kind name } } } }`);
    const hourFields = Object.fromEntries((q.hour.fields as Raw[]).map((f) => [f.name, f]));
    expect(hourFields.simulatedTime).toMatchObject({
      isDeprecated: false,
      type: { kind: 'NON_NULL', ofType: { name: 'String' } },
    });
    expect(hourFields.simulatedTime.description).toMatch(
      /simulated local time at the track.*not a real-world instant/s,
    );
    expect(hourFields.timeOffsetMinutes).toMatchObject({
      isDeprecated: false,
      type: { ofType: { name: 'Int' } },
    });
    expect(hourFields.timeOffsetMinutes.description).toMatch(/Minutes from the race start/);
    expect(hourFields.timeOffset).toMatchObject({ isDeprecated: true, type: { ofType: { name: 'Int' } } });
    expect(hourFields.timeOffset.deprecationReason).toMatch(/timeOffsetMinutes/);
    expect(hourFields.timestamp).toMatchObject({
      isDeprecated: true,
      type: { ofType: { name: 'DateTime' } },
    });
    expect(hourFields.timestamp.deprecationReason).toMatch(/Not a real-world instant.*simulatedTime/s);
    const start = (q.week.fields as Raw[]).find((f) => f.name === 'simulatedStartTime');
    expect(start).toMatchObject({ type: { kind: 'SCALAR', name: 'String' } });
    expect(start?.description).toMatch(/simulated local time at the track.*not a real-world instant/s);
  });

  it('migrates rows written the old way (a `Z` appended, stored as instants) to the same wall-clock times', async () => {
    const SCHEMA = 'forecast_time_migration';
    const times = ['2026-02-14T18:00:00', '2026-03-08T02:30:00', '2025-12-31T23:00:00'];
    const qr = h.db.createQueryRunner();
    await qr.connect();
    const column = async () =>
      (
        (await qr.query(
          `SELECT data_type FROM information_schema.columns
           WHERE table_schema = $1 AND table_name = 'weather_forecast' AND column_name = 'timestamp'`,
          [SCHEMA],
        )) as Raw[]
      )[0].data_type as string;
    try {
      // A schema of its own with the table as the Weather migration made it, in a New York session.
      await qr.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await qr.query(`CREATE SCHEMA ${SCHEMA}`);
      await qr.query(`SET search_path TO ${SCHEMA}`);
      await qr.query(`SET TimeZone TO '${NEW_YORK}'`);
      await qr.query(`CREATE TABLE race_week (id serial PRIMARY KEY)`);
      await new Weather1795314568847().up(qr);
      await qr.query(`INSERT INTO race_week DEFAULT VALUES`);
      // The old importer: `Z` appended to the file's value, written as timestamptz.
      await bulkUpsert(
        qr,
        {
          table: 'weather_forecast',
          key: ['race_week_id', 'time_offset'],
          columns: {
            race_week_id: 'int',
            time_offset: 'int',
            timestamp: 'timestamptz',
            affects_session: 'boolean',
          },
          columnar: true,
        },
        times.map((t, i) => ({
          race_week_id: 1,
          time_offset: i * 60,
          timestamp: `${t}Z`,
          affects_session: false,
        })),
      );
      expect(await column()).toBe('timestamp with time zone');
      const before = (await qr.query(
        `SELECT timestamp::text AS t FROM weather_forecast ORDER BY time_offset`,
      )) as Raw[];
      expect(before[0].t).toBe('2026-02-14 13:00:00-05'); // the old meaning: an instant, shown in the session zone

      const migration = new ForecastLocalTime1795319000000();
      const local = async () =>
        (
          (await qr.query(
            `SELECT to_char(timestamp, 'YYYY-MM-DD"T"HH24:MI:SS') AS t FROM weather_forecast ORDER BY time_offset`,
          )) as Raw[]
        ).map((r) => r.t as string);
      await migration.up(qr);
      expect(await column()).toBe('timestamp without time zone');
      expect(await local()).toEqual(times);

      // Down gives back the instants the old code stored; up again, the same wall-clock values.
      await migration.down(qr);
      expect(await column()).toBe('timestamp with time zone');
      const instants = (await qr.query(
        `SELECT extract(epoch FROM timestamp)::float8 * 1000 AS ms FROM weather_forecast ORDER BY time_offset`,
      )) as Raw[];
      expect(instants.map((r) => Number(r.ms))).toEqual(times.map((t) => Date.parse(`${t}Z`)));
      await migration.up(qr);
      expect(await local()).toEqual(times);
    } finally {
      await qr.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await qr.query('RESET search_path');
      await qr.query('RESET TimeZone');
      await qr.release();
    }
  });
});
