// Results in the shapes real answers take (end to end: real PostgreSQL, Redis and Bull, the replica serving a small
// synthetic world plus hand-written fixtures through overrides): league and hosted subsessions are imported as
// their kind without a season chain and without asking for season 0; a lap-data header without chunk_info is zero
// laps; one driver's failed lap fetch leaves a PARTIAL run naming that driver and the endpoint, with everyone
// else's laps stored and counted; a team's laps are asked for by its team id; a schedule answering 404 while a
// subsession is imported is named in that subsession's error.
import { ChunkedPayload } from '../../offline/datasets.js';
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { SubsessionKind1795319400000 } from '../../src/core/database/migrations/1795319400000-SubsessionKind.js';
import { SyncKind, SyncTrigger } from '../../src/scheduler/sync-run.entity.js';
import { SyncRunService } from '../../src/scheduler/sync-run.service.js';
import { ADMIN_KEY, startHarness } from '../support/harness.js';
import type { Harness, SyncRunView } from '../support/harness.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const NOW = new Date('2026-11-19T15:00:00Z');
const WORLD = { seed: 7, scale: 0.05, now: NOW };
const SYNC_SUBSESSION = `mutation($id: Int!, $laps: Boolean) { syncSubsession(subsessionId: $id, includeLaps: $laps) { id } }`;

const LEAGUE = 990_000_001;
const HOSTED = 990_000_002;
const HOSTED_ZEROS = 990_000_003;
const LAPS = 990_000_004;
const TEAM = 990_000_005;
const UNKNOWN_SEASON = 990_000_006;
const MISSING_SEASON_ID = 4_242_424;
const LEAGUE_ID = 4321;
const LEAGUE_SEASON_ID = 98_765;
const DRIVERS = [612_001, 612_002, 612_003, 612_004];
/** As results/get names teams: negative ids. */
const TEAM_IDS = [-93_376, -88_123];

describe('results in the shapes real answers take (end to end)', () => {
  let h: Harness;
  const dataset = syntheticDataset(WORLD);
  const ctx = { baseUrl: 'http://replica', now: NOW };
  // A car (with its class) and a track of the world, so the fixtures name what the catalog lists.
  const carClass = (dataset.resolve('carclass/get', new URLSearchParams(), ctx) as Raw[]).find(
    (c) => (c.cars_in_class as Raw[]).length > 0,
  ) as Raw;
  const carId = carClass.cars_in_class[0].car_id as number;
  const track = (dataset.resolve('track/get', new URLSearchParams(), ctx) as Raw[])[0];

  const fixtures = new Map<number, Raw>();
  /** Per subsession, what `results/lap_data` answers for each request (the recorded request params too). */
  let laps: (params: URLSearchParams) => unknown = () => undefined;
  const lapRequests: Record<string, string>[] = [];

  const run = async (mutation: string, variables: Raw = {}) => {
    const data = await h.data<Record<string, { id: number }>>(mutation, variables, ADMIN_KEY);
    return h.waitForRun(Object.values(data)[0].id);
  };
  const syncSubsession = (id: number, withLaps = false) => run(SYNC_SUBSESSION, { id, laps: withLaps });
  const byEntity = (r: SyncRunView) => Object.fromEntries(r.countsByEntity.map((c) => [c.entity, c]));
  const count = async (sql: string, params: unknown[] = []) =>
    Number(((await h.db.query(`SELECT (${sql})::int AS n`, params)) as Raw[])[0].n);

  /** A driver row of `results/get` (the fields iRacing sends that matter here, and a few that do not). */
  const driverRow = (custId: number, position: number, extra: Raw = {}): Raw => ({
    cust_id: custId,
    display_name: `Driver ${custId}`,
    finish_position: position,
    finish_position_in_class: position,
    starting_position: position,
    laps_complete: 12 - position,
    laps_lead: position === 0 ? 12 : 0,
    incidents: position * 2,
    best_lap_time: 1_031_234 + position * 1000,
    best_lap_num: 4,
    average_lap: 1_045_678 + position * 1000,
    interval: position === 0 ? 0 : position * 51_234,
    reason_out: 'Running',
    reason_out_id: 0,
    champ_points: 0,
    league_points: 40 - position * 5,
    car_id: carId,
    car_class_id: carClass.car_class_id,
    oldi_rating: -1,
    newi_rating: -1,
    old_license_level: 18,
    new_license_level: 18,
    old_sub_level: 300,
    new_sub_level: 300,
    ai: false,
    ...extra,
  });

  /** A `results/get` payload with a qualifying and a race of `drivers`, plus `fields` (series, league…). */
  const resultOf = (subsessionId: number, fields: Raw, rows: () => Raw[]): Raw => ({
    subsession_id: subsessionId,
    session_id: subsessionId + 1_000_000,
    start_time: '2026-11-18T19:00:00Z',
    end_time: '2026-11-18T19:45:12Z',
    event_type: 5,
    event_type_name: 'Race',
    official_session: false,
    license_category: 'Sports_Car',
    license_category_id: 5,
    num_drivers: 4,
    event_strength_of_field: -1,
    num_cautions: -1,
    num_caution_laps: -1,
    num_lead_changes: 1,
    event_laps_complete: 12,
    event_best_lap_time: 1_031_234,
    event_average_lap: 1_045_678,
    driver_changes: false,
    results_restricted: false,
    track: { track_id: track.track_id, track_name: track.track_name, config_name: track.config_name },
    weather: { temp_units: 1, temp_value: 21, wind_units: 1, wind_value: 9, rel_humidity: 55, skies: 1 },
    session_results: [
      { simsession_number: -1, simsession_type: 4, simsession_name: 'QUALIFY', results: rows() },
      { simsession_number: 0, simsession_type: 6, simsession_name: 'RACE', results: rows() },
    ],
    ...fields,
  });
  const soloRows = () => DRIVERS.map((c, i) => driverRow(c, i));
  /** A lap row of `results/lap_data` as iRacing sends it. */
  const lapRow = (custId: number, lapNumber: number, groupId = custId): Raw => ({
    group_id: groupId,
    name: `Driver ${custId}`,
    cust_id: custId,
    display_name: `Driver ${custId}`,
    lap_number: lapNumber,
    flags: lapNumber === 0 ? 0 : 8192,
    incident: false,
    session_time: 1_764_000 + lapNumber * 1_040_000,
    session_start_time: null,
    lap_time: lapNumber === 0 ? -1 : 1_040_000 + lapNumber * 17,
    team_fastest_lap: false,
    personal_best_lap: lapNumber === 3,
    license_level: 18,
    car_number: '7',
    lap_events: lapNumber === 2 ? ['off track'] : [],
    ai: false,
  });
  const lapsOf = (custId: number, n: number, groupId = custId) =>
    Array.from({ length: n }, (_, i) => lapRow(custId, i, groupId));
  const lapHeader = (subsessionId: number, groupId: number): Raw => ({
    success: true,
    session_info: { subsession_id: subsessionId, simsession_number: 0, simsession_type: 6, event_type: 5 },
    best_lap_num: 3,
    best_lap_time: 1_040_051,
    group_id: groupId,
    car_id: carId,
  });

  beforeAll(async () => {
    h = await startHarness({ dataset: syntheticDataset(WORLD), now: () => NOW });
    h.replica.override('results/get', (payload, params) => {
      const fixture = fixtures.get(Number(params.get('subsession_id')));
      return fixture ? structuredClone(fixture) : payload;
    });
    h.replica.override('results/lap_data', (_payload, params) => {
      lapRequests.push(Object.fromEntries(params));
      return laps(params);
    });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it('imports a league and a hosted subsession without any season chain or season_schedule request', async () => {
    // A league race: season, series and week all 0, with the league and its season.
    fixtures.set(
      LEAGUE,
      resultOf(
        LEAGUE,
        {
          season_id: 0,
          series_id: 0,
          race_week_num: 0,
          league_id: LEAGUE_ID,
          league_name: 'Thursday Night Endurance League',
          league_season_id: LEAGUE_SEASON_ID,
          league_season_name: 'Season 7',
          session_name: 'TNEL Round 4 - Spa',
          private_session_id: 5_551_234,
        },
        soloRows,
      ),
    );
    // Hosted: no series fields at all.
    fixtures.set(
      HOSTED,
      resultOf(
        HOSTED,
        { session_name: 'Open lobby', private_session_id: 5_551_235, host_id: 612_001 },
        soloRows,
      ),
    );
    // Hosted as zeros (season and series 0, league 0).
    fixtures.set(
      HOSTED_ZEROS,
      resultOf(
        HOSTED_ZEROS,
        {
          season_id: 0,
          series_id: 0,
          race_week_num: 0,
          league_id: 0,
          league_season_id: 0,
          session_name: 'Practice with friends',
          private_session_id: 5_551_236,
        },
        soloRows,
      ),
    );
    const instances = await count('SELECT count(*) FROM event_instance');
    h.replica.resetStats();
    for (const id of [LEAGUE, HOSTED, HOSTED_ZEROS]) {
      const r = await syncSubsession(id);
      expect([id, r.status, r.errors]).toEqual([id, 'SUCCEEDED', []]);
      expect(byEntity(r).event_result).toMatchObject({ created: 1 });
      expect(byEntity(r).participant_result).toMatchObject({ created: 8 });
    }
    expect(h.replica.stats.dataRequests['series/season_schedule'] ?? 0).toBe(0);
    expect(h.replica.stats.dataRequests['series/seasons'] ?? 0).toBe(0);
    expect(await count('SELECT count(*) FROM season')).toBe(0);
    expect(await count('SELECT count(*) FROM event_instance')).toBe(instances);
    expect(
      await h.db.query(
        `SELECT subsession_id, kind, season_id, series_id, race_week_num, event_instance_id, league_id,
                league_season_id, session_name FROM event_result ORDER BY subsession_id`,
      ),
    ).toEqual([
      {
        subsession_id: LEAGUE,
        kind: 'LEAGUE',
        season_id: null,
        series_id: null,
        race_week_num: null,
        event_instance_id: null,
        league_id: LEAGUE_ID,
        league_season_id: LEAGUE_SEASON_ID,
        session_name: 'TNEL Round 4 - Spa',
      },
      {
        subsession_id: HOSTED,
        kind: 'HOSTED',
        season_id: null,
        series_id: null,
        race_week_num: null,
        event_instance_id: null,
        league_id: null,
        league_season_id: null,
        session_name: 'Open lobby',
      },
      {
        subsession_id: HOSTED_ZEROS,
        kind: 'HOSTED',
        season_id: null,
        series_id: null,
        race_week_num: null,
        event_instance_id: null,
        league_id: null,
        league_season_id: null,
        session_name: 'Practice with friends',
      },
    ]);

    const fields = `id kind sessionName seasonId seriesId raceWeekNum league { id seasonId } series { id }
      season { id } session { startTime } layout { id } sessions { simsessionNumber results { member { custId } } }`;
    const q = await h.data<Raw>(
      `query { league: subsession(id: ${LEAGUE}) { ${fields} } hosted: subsession(id: ${HOSTED}) { ${fields} } }`,
    );
    expect(q.league).toMatchObject({
      id: LEAGUE,
      kind: 'LEAGUE',
      sessionName: 'TNEL Round 4 - Spa',
      seasonId: null,
      seriesId: null,
      raceWeekNum: null,
      league: { id: LEAGUE_ID, seasonId: LEAGUE_SEASON_ID },
      series: null,
      season: null,
      session: null,
      layout: { id: track.track_id },
    });
    expect(q.league.sessions.map((s: Raw) => [s.simsessionNumber, s.results.length])).toEqual([
      [-1, 4],
      [0, 4],
    ]);
    expect(q.hosted).toMatchObject({ id: HOSTED, kind: 'HOSTED', sessionName: 'Open lobby', league: null });

    const list = async (kind: string) =>
      (
        await h.data<Raw>(
          `query { results(first: 10, filter: { kind: ${kind} }) { totalCount edges { node { id kind league { id } } } } }`,
        )
      ).results;
    const leagues = await list('LEAGUE');
    expect(leagues.totalCount).toBe(1);
    expect(leagues.edges.map((e: Raw) => e.node)).toEqual([
      { id: LEAGUE, kind: 'LEAGUE', league: { id: LEAGUE_ID } },
    ]);
    const hosted = await list('HOSTED');
    expect(hosted.edges.map((e: Raw) => e.node.id).sort()).toEqual([HOSTED, HOSTED_ZEROS]);
    expect((await list('OFFICIAL')).totalCount).toBe(0);
    const bad = await h.gql(`query { results(filter: { kind: PRIVATE }) { totalCount } }`);
    expect(bad.errors?.[0]?.extensions?.code).toMatch(/GRAPHQL_VALIDATION_FAILED|BAD_USER_INPUT/);

    // The same payloads again: nothing changes.
    const again = await syncSubsession(LEAGUE);
    expect(again.status).toBe('SUCCEEDED');
    expect(again.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
  });

  it('stores zero laps for a lap-data header whose chunk_info is null or missing', async () => {
    const [withLaps, nullInfo, noInfo, empty] = DRIVERS;
    lapRequests.length = 0;
    laps = (params) => {
      const cust = Number(params.get('cust_id'));
      if (cust === withLaps)
        return new ChunkedPayload(lapHeader(LEAGUE, cust), lapsOf(cust, 9), { rowsPerChunk: 4 });
      if (cust === nullInfo) return { ...lapHeader(LEAGUE, cust), chunk_info: null };
      if (cust === noInfo) return lapHeader(LEAGUE, cust);
      if (cust === empty) return new ChunkedPayload(lapHeader(LEAGUE, cust), []);
      return undefined;
    };
    const r = await syncSubsession(LEAGUE, true);
    expect(r.errors).toEqual([]);
    expect(r.status).toBe('SUCCEEDED');
    expect(byEntity(r).lap).toMatchObject({ created: 9, deleted: 0 });
    expect(lapRequests.map((p) => Number(p.cust_id)).sort()).toEqual([...DRIVERS].sort());
    expect(lapRequests.every((p) => p.simsession_number === '0' && p.team_id === undefined)).toBe(true);
    expect(
      await h.db.query(
        'SELECT cust_id, count(*)::int AS n FROM lap WHERE subsession_id = $1 GROUP BY cust_id ORDER BY cust_id',
        [LEAGUE],
      ),
    ).toEqual([{ cust_id: withLaps, n: 9 }]);
    expect(
      await count('SELECT count(*) FROM event_result WHERE subsession_id = $1 AND laps_at IS NOT NULL', [
        LEAGUE,
      ]),
    ).toBe(1);
  });

  it("ends PARTIAL naming the driver whose laps failed, and stores and counts everyone else's", async () => {
    fixtures.set(LAPS, resultOf(LAPS, { session_name: 'Lap test', private_session_id: 5_551_237 }, soloRows));
    const [a, failing, c, d] = DRIVERS;
    const served = (cust: number) =>
      new ChunkedPayload(lapHeader(LAPS, cust), lapsOf(cust, cust === c ? 5 : 7), { rowsPerChunk: 3 });
    // The replica answers 500 when an override throws: the client retries, then gives up on that driver.
    laps = (params) => {
      const cust = Number(params.get('cust_id'));
      if (cust === failing) throw new Error('lap data of this driver is unavailable');
      return served(cust);
    };
    const first = await syncSubsession(LAPS, true);
    expect(first.status).toBe('PARTIAL');
    expect(first.errors).toHaveLength(1);
    expect(first.errors[0]).toMatchObject({
      unit: `subsession ${LAPS} laps of cust_id ${failing}`,
      endpoint: 'results/lap_data',
    });
    expect(first.errors[0].message).toMatch(/results\/lap_data.*HTTP 500/);
    // Every row it wrote is counted: the subsession, its drivers and profiles, and three drivers' laps.
    const e = byEntity(first);
    expect(e.event_result).toMatchObject({ created: 1 });
    expect(e.participant_result).toMatchObject({ created: 8 });
    expect(e.lap).toMatchObject({ created: 7 + 5 + 7, deleted: 0 });
    expect(first.counts).toMatchObject({ failed: 1 });
    const stored = async () =>
      Object.fromEntries(
        (
          (await h.db.query(
            'SELECT cust_id, count(*)::int AS n FROM lap WHERE subsession_id = $1 GROUP BY cust_id',
            [LAPS],
          )) as Raw[]
        ).map((x) => [x.cust_id, x.n]),
      );
    expect(await stored()).toEqual({ [a]: 7, [c]: 5, [d]: 7 });
    // Not every driver's laps are stored: the subsession does not claim they are.
    expect(
      await count('SELECT count(*) FROM event_result WHERE subsession_id = $1 AND laps_at IS NULL', [LAPS]),
    ).toBe(1);

    // Again, the failing driver now answered and another one sending a malformed body: the laps already stored
    // for the malformed one are kept, the new ones written.
    await h.clearIracingCache();
    laps = (params) => {
      const cust = Number(params.get('cust_id'));
      if (cust === c)
        return new ChunkedPayload(lapHeader(LAPS, cust), [{ ...lapRow(cust, 0), lap_time: '1:43.2' }]);
      return served(cust);
    };
    const second = await syncSubsession(LAPS, true);
    expect(second.status).toBe('PARTIAL');
    expect(second.errors).toHaveLength(1);
    expect(second.errors[0]).toMatchObject({
      unit: `subsession ${LAPS} laps of cust_id ${c}`,
      endpoint: 'results/lap_data',
    });
    expect(second.errors[0].message).toMatch(/malformed payload at rows\[0\]\.lap_time/);
    expect(byEntity(second).lap).toMatchObject({ created: 7, unchanged: 14, deleted: 0 });
    expect(await stored()).toEqual({ [a]: 7, [failing]: 7, [c]: 5, [d]: 7 });
  });

  it('asks for a team’s laps by the team id iRacing expects and stores them per driver', async () => {
    // A hosted team race: each team's row carries its drivers in driver_results (team ids negative).
    const teams = () =>
      TEAM_IDS.map((teamId, i) => ({
        ...driverRow(0, i),
        cust_id: undefined,
        team_id: teamId,
        display_name: `Team ${-teamId}`,
        driver_results: DRIVERS.slice(i * 2, i * 2 + 2).map((cust, j) =>
          driverRow(cust, i, { team_id: teamId, laps_complete: 6 - j }),
        ),
      }));
    fixtures.set(
      TEAM,
      resultOf(
        TEAM,
        {
          session_name: 'Team enduro',
          private_session_id: 5_551_238,
          driver_changes: true,
          max_team_drivers: 2,
          min_team_drivers: 1,
        },
        () => teams().map((t) => JSON.parse(JSON.stringify(t)) as Raw),
      ),
    );
    lapRequests.length = 0;
    laps = (params) => {
      const team = Number(params.get('team_id'));
      const i = TEAM_IDS.indexOf(-team);
      if (i < 0 || params.has('cust_id')) return undefined; // answers like iRacing only for the team's own id
      const [first, second] = DRIVERS.slice(i * 2, i * 2 + 2);
      const rows = [...lapsOf(first, 4, -team), ...lapsOf(second, 6, -team).slice(4)];
      return new ChunkedPayload(lapHeader(TEAM, -team), rows, { rowsPerChunk: 2 });
    };
    const r = await syncSubsession(TEAM, true);
    expect(r.errors).toEqual([]);
    expect(r.status).toBe('SUCCEEDED');
    expect(byEntity(r).team_result).toMatchObject({ created: 4 });
    expect(lapRequests.map((p) => [p.team_id, p.cust_id]).sort()).toEqual(
      TEAM_IDS.map((t) => [String(-t), undefined]).sort(),
    );
    expect(byEntity(r).lap).toMatchObject({ created: 12 });
    expect(
      await h.db.query(
        `SELECT cust_id, group_id, count(*)::int AS n FROM lap WHERE subsession_id = $1
         GROUP BY cust_id, group_id ORDER BY cust_id`,
        [TEAM],
      ),
    ).toEqual([
      { cust_id: DRIVERS[0], group_id: TEAM_IDS[0], n: 4 },
      { cust_id: DRIVERS[1], group_id: TEAM_IDS[0], n: 2 },
      { cust_id: DRIVERS[2], group_id: TEAM_IDS[1], n: 4 },
      { cust_id: DRIVERS[3], group_id: TEAM_IDS[1], n: 2 },
    ]);
  });

  it('names series/season_schedule, its season_id and the 404 in the error of the subsession it stopped', async () => {
    fixtures.set(
      UNKNOWN_SEASON,
      resultOf(
        UNKNOWN_SEASON,
        { season_id: MISSING_SEASON_ID, series_id: 4_242, race_week_num: 3, official_session: true },
        soloRows,
      ),
    );
    const asked: string[] = [];
    h.replica.override('series/season_schedule', (payload, params) => {
      asked.push(params.get('season_id') ?? '');
      return params.get('season_id') === String(MISSING_SEASON_ID) ? undefined : payload;
    });
    const r = await syncSubsession(UNKNOWN_SEASON);
    expect(r.status).toBe('FAILED');
    expect(asked).toEqual([String(MISSING_SEASON_ID)]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({
      unit: `subsession ${UNKNOWN_SEASON}`,
      endpoint: 'series/season_schedule',
    });
    expect(r.errors[0].message).toMatch(
      new RegExp(
        `season ${MISSING_SEASON_ID} week 3 is not known .*series/season_schedule \\(season_id=${MISSING_SEASON_ID}\\) answered HTTP 404`,
      ),
    );
    expect(await count('SELECT count(*) FROM event_result WHERE subsession_id = $1', [UNKNOWN_SEASON])).toBe(
      0,
    );
  });

  it('goes on past a subsession whose schedule answers 404 in a run of several, naming only that one', async () => {
    const started = await h.app
      .get(SyncRunService)
      .enqueue(
        SyncKind.SUBSESSIONS,
        { subsessionIds: [UNKNOWN_SEASON, HOSTED], refresh: true },
        SyncTrigger.CLI,
      );
    const r = await h.waitForRun(started.id);
    expect(r.status).toBe('PARTIAL');
    expect(r.errors.map((x) => [x.unit, x.endpoint])).toEqual([
      [`subsession ${UNKNOWN_SEASON}`, 'series/season_schedule'],
    ]);
    expect(byEntity(r).event_result).toMatchObject({ created: 0, unchanged: 1 });
  });

  it('classifies the subsessions stored before the migration from their payload', async () => {
    const runner = h.db.createQueryRunner();
    const migration = new SubsessionKind1795319400000();
    try {
      await migration.down(runner);
      // As the importer used to store them: league fields and the session name in `raw`, a hosted one without
      // a season, and a league race with its zeros.
      await runner.query(
        `UPDATE event_result SET raw = raw || jsonb_build_object('league_id', $2::int, 'league_season_id', $3::int,
           'session_name', 'TNEL Round 4 - Spa'), season_id = 0, series_id = 0, race_week_num = 0
         WHERE subsession_id = $1`,
        [LEAGUE, LEAGUE_ID, LEAGUE_SEASON_ID],
      );
      await runner.query(
        `UPDATE event_result SET raw = raw || '{"session_name": "Open lobby", "league_id": 0}'::jsonb WHERE subsession_id = $1`,
        [HOSTED],
      );
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    expect(
      await h.db.query(
        `SELECT subsession_id, kind, season_id, league_id, league_season_id, session_name FROM event_result
         WHERE subsession_id = ANY($1::int[]) ORDER BY subsession_id`,
        [[LEAGUE, HOSTED]],
      ),
    ).toEqual([
      {
        subsession_id: LEAGUE,
        kind: 'LEAGUE',
        season_id: null,
        league_id: LEAGUE_ID,
        league_season_id: LEAGUE_SEASON_ID,
        session_name: 'TNEL Round 4 - Spa',
      },
      {
        subsession_id: HOSTED,
        kind: 'HOSTED',
        season_id: null,
        league_id: null,
        league_season_id: null,
        session_name: 'Open lobby',
      },
    ]);
  });
});
