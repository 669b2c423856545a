// The seasons graph end to end on the recorded samples: syncSeasons / syncRaceGuide mutations → Bull → replica →
// set-based upserts, one transaction per season → GraphQL. Counts equal the file, a second sync changes nothing,
// a BOP change leaves one history row, a broken season fails alone, race-guide sessions land on their weeks.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordedDataset } from '../../offline/datasets.js';
import { ADMIN_KEY, startHarness, SYNC_RUN_FIELDS } from '../support/harness.js';
import type { Harness, SyncRunView } from '../support/harness.js';
import { recordStatements, statementShapes } from '../support/statements.js';
import { SAMPLES_DIR } from '../support/test-env.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const sample = (file: string) => JSON.parse(readFileSync(join(SAMPLES_DIR, file), 'utf8')) as Raw;

const SYNC_SEASONS = `mutation($input: SyncSeasonsInput) { syncSeasons(input: $input) { ${SYNC_RUN_FIELDS} } }`;
const SYNC_GUIDE = `mutation { syncRaceGuide { ${SYNC_RUN_FIELDS} } }`;
const GRAPH = `query($first: Int) { seasons(first: $first) { totalCount edges { node {
  id name series { name category } carClasses { name }
  raceWeeks { id raceWeekNum startTime endTime layout { trackName configName }
    carRestrictions { car { name } powerAdjustPct weightPenaltyKg maxDryTireSets maxPctFuelFill }
    event { layout { trackName } classes { position carClass { name } cars { name } } } } } } } }`;

interface GraphWeek {
  id: number;
  raceWeekNum: number;
  carRestrictions: { car: { name: string } }[];
  event: { classes: { cars: unknown[] }[] };
}
interface Graph {
  seasons: { totalCount: number; edges: { node: { id: number; raceWeeks: GraphWeek[] } }[] };
}

describe('seasons sync (end to end, recorded samples)', () => {
  let h: Harness;
  const seasonsFile = sample('series-seasons.json') as Raw[];
  const guideFile = sample('season-race_guide.json');

  const run = async (mutation: string, variables: Raw = {}): Promise<SyncRunView> => {
    const data = await h.data<Record<string, SyncRunView>>(mutation, variables, ADMIN_KEY);
    return h.waitForRun(Object.values(data)[0].id);
  };
  const syncSeasons = (input: Raw = {}) => run(SYNC_SEASONS, { input });
  const byEntity = (r: SyncRunView) => Object.fromEntries(r.countsByEntity.map((c) => [c.entity, c]));
  const tableCounts = async () =>
    (
      (await h.db.query(`SELECT (SELECT count(*) FROM season)::int AS seasons,
        (SELECT count(*) FROM race_week)::int AS weeks, (SELECT count(*) FROM car_restriction)::int AS restrictions,
        (SELECT count(*) FROM event)::int AS events, (SELECT count(*) FROM event_class)::int AS classes,
        (SELECT count(*) FROM event_instance)::int AS instances,
        (SELECT count(*) FROM car_restriction_change)::int AS changes`)) as Raw[]
    )[0];

  beforeAll(async () => {
    h = await startHarness({ dataset: recordedDataset(SAMPLES_DIR) });
  });
  afterAll(async () => {
    await h?.close();
  });
  afterEach(async () => {
    h.replica.clearFaults();
    h.replica.clearOverrides();
    await h.clearIracingCache();
  });

  it('refuses the sync mutations without the admin key and rejects a year without its quarter', async () => {
    for (const m of [SYNC_SEASONS, SYNC_GUIDE]) {
      const r = await h.gql(m, {}, 'wrong-key');
      expect(r.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    }
    const r = await h.gql(SYNC_SEASONS, { input: { seasonYear: 2025 } }, ADMIN_KEY);
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].message).toMatch(/seasonYear and seasonQuarter go together/);
    const q = await h.gql(SYNC_SEASONS, { input: { seasonYear: 2025, seasonQuarter: 5 } }, ADMIN_KEY);
    expect(q.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await h.db.query('SELECT count(*)::int AS n FROM sync_run'))[0].n).toBe(0);
  });

  it('imports the recorded seasons (fetching the catalog first): counts through GraphQL match the file', async () => {
    const first = await syncSeasons();
    expect(first.status).toBe('SUCCEEDED');
    const e = byEntity(first);
    expect(e.sim_car.created).toBe(181); // the catalog was fetched because the seasons name its cars
    expect(e.season.created).toBe(35);
    expect(e.race_week.created).toBe(527);
    expect(e.car_restriction.created).toBe(909);
    expect(e.event.created).toBe(527);

    const graph = await h.data<Graph>(GRAPH, { first: 100 });
    const weeks = graph.seasons.edges.flatMap((edge) => edge.node.raceWeeks);
    expect(graph.seasons.totalCount).toBe(35);
    expect(weeks).toHaveLength(527);
    expect(weeks.reduce((n, w) => n + w.carRestrictions.length, 0)).toBe(909);
    expect(weeks.every((w) => w.event.classes.length > 0 && w.event.classes[0].cars.length > 0)).toBe(true);

    // Every recorded week, its track and its restrictions, as stored.
    const stored = (await h.db.query(
      `SELECT rw.season_id, rw.race_week_num, rw.track_id, count(cr.id)::int AS n
       FROM race_week rw LEFT JOIN car_restriction cr ON cr.race_week_id = rw.id GROUP BY rw.id`,
    )) as Raw[];
    const key = (s: number, w: number) => `${s}:${w}`;
    const want = new Map(
      seasonsFile.flatMap((s) =>
        (s.schedules as Raw[]).map((w) => [
          key(s.season_id, w.race_week_num),
          { track: w.track.track_id, n: (w.car_restrictions ?? []).length },
        ]),
      ),
    );
    for (const row of stored)
      expect({ track: row.track_id, n: row.n }).toEqual(want.get(key(row.season_id, row.race_week_num)));

    // Multiclass events order their classes fastest first.
    const multi = seasonsFile.find((s) => (s.car_class_ids as number[]).length === 5) as Raw;
    const classes = (await h.db.query(
      `SELECT cc.relative_speed FROM event_class ec JOIN event e ON e.id = ec.event_id
       JOIN car_class cc ON cc.car_class_id = ec.car_class_id
       WHERE e.season_id = $1 AND e.race_week_id = (SELECT min(race_week_id) FROM event WHERE season_id = $1)
       ORDER BY ec.position`,
      [multi.season_id],
    )) as { relative_speed: number }[];
    expect(classes).toHaveLength(5);
    const speeds = classes.map((c) => c.relative_speed);
    expect(speeds).toEqual([...speeds].sort((a, b) => b - a));
  });

  it('reports everything unchanged on a second sync', async () => {
    const before = await tableCounts();
    const again = await syncSeasons();
    expect(again.status).toBe('SUCCEEDED');
    expect(again.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
    expect(byEntity(again).car_restriction.unchanged).toBe(909);
    // The same with `refresh` (no hash skip): every row compared, none written.
    const refreshed = await syncSeasons({ refresh: true });
    expect(refreshed.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
    expect(await tableCounts()).toEqual(before);
  });

  it('keeps one history row for one changed BOP value, and rows for a car added and removed', async () => {
    const target = seasonsFile.find((s) => (s.schedules as Raw[])[2]?.car_restrictions?.length > 1) as Raw;
    const week = (target.schedules as Raw[])[2];
    const [changed, removed] = week.car_restrictions as Raw[];
    h.replica.override('series/seasons', (payload) => {
      const s = (payload as Raw[]).find((x) => x.season_id === target.season_id) as Raw;
      const w = (s.schedules as Raw[])[2];
      w.car_restrictions[0].power_adjust_pct = -2.5;
      return payload;
    });
    const one = await syncSeasons();
    expect(one.status).toBe('SUCCEEDED');
    expect(byEntity(one).car_restriction).toMatchObject({ updated: 1, created: 0, deleted: 0 });
    const history = (await h.db.query('SELECT * FROM car_restriction_change')) as Raw[];
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ car_id: changed.car_id, change: 'CHANGED' });
    expect(history[0].before.power_adjust_pct).toBe(changed.power_adjust_pct);
    expect(history[0].after.power_adjust_pct).toBe(-2.5);

    const weekId = (
      await h.db.query('SELECT id FROM race_week WHERE season_id = $1 AND race_week_num = 2', [
        target.season_id,
      ])
    )[0].id as number;
    const q = await h.data<Raw>(
      `query($id: Int!) { raceWeek(id: $id) { carRestrictions { car { id } powerAdjustPct }
         restrictionHistory { change car { id } before { powerAdjustPct } after { powerAdjustPct } } } }`,
      { id: weekId },
    );
    expect(q.raceWeek.restrictionHistory).toEqual([
      {
        change: 'CHANGED',
        car: { id: changed.car_id },
        before: { powerAdjustPct: changed.power_adjust_pct },
        after: { powerAdjustPct: -2.5 },
      },
    ]);

    // The same answer again: no new history. Then a car removed and one added.
    expect((await syncSeasons()).counts).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    await h.clearIracingCache();
    h.replica.override('series/seasons', (payload) => {
      const s = (payload as Raw[]).find((x) => x.season_id === target.season_id) as Raw;
      const w = (s.schedules as Raw[])[2];
      w.car_restrictions[0].power_adjust_pct = -2.5;
      w.car_restrictions = w.car_restrictions.filter((r: Raw) => r.car_id !== removed.car_id);
      w.car_restrictions.push({ ...removed, car_id: 1, weight_penalty_kg: 10 });
      return payload;
    });
    const swap = await syncSeasons();
    expect(byEntity(swap).car_restriction).toMatchObject({ created: 1, deleted: 1, updated: 0 });
    const kinds = (await h.db.query(
      'SELECT change, car_id FROM car_restriction_change WHERE id > $1 ORDER BY change',
      [history[0].id],
    )) as Raw[];
    expect(kinds).toEqual([
      { change: 'ADDED', car_id: 1 },
      { change: 'REMOVED', car_id: removed.car_id },
    ]);
  });

  it('fails only the season whose schedule lacks its track (PARTIAL), writing nothing of it', async () => {
    const [broken, other] = [seasonsFile[3], seasonsFile[4]];
    const state = async (seasonId: number) =>
      (await h.db.query(
        `SELECT rw.race_week_num, rw.race_lap_limit, rw.updated_at FROM race_week rw
         WHERE rw.season_id = $1 ORDER BY rw.race_week_num`,
        [seasonId],
      )) as Raw[];
    const before = await state(broken.season_id);
    h.replica.override('series/seasons', (payload) => {
      for (const s of payload as Raw[]) {
        if (s.season_id === broken.season_id) {
          (s.schedules as Raw[])[0].race_lap_limit = 999; // a valid change in the same season…
          delete (s.schedules as Raw[])[5].track; // …and a broken week
        }
        if (s.season_id === other.season_id) (s.schedules as Raw[])[0].race_lap_limit = 777;
      }
      return payload;
    });
    const r = await syncSeasons();
    expect(r.status).toBe('PARTIAL');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].unit).toBe(`season ${broken.season_id}`);
    expect(r.errors[0].endpoint).toBe('series/seasons');
    expect(r.errors[0].message).toMatch(/\[3\]\.schedules\[5\]\.track: expected an object, got nothing/);
    expect(await state(broken.season_id)).toEqual(before);
    const otherWeek = (await state(other.season_id))[0];
    expect(otherWeek.race_lap_limit).toBe(777);
  });

  it('places every race guide session on its race week, creating unpredicted sessions and unknown seasons', async () => {
    h.replica.clearOverrides();
    await syncSeasons({ refresh: true });
    const r = await run(SYNC_GUIDE);
    expect(r.status).toBe('SUCCEEDED');
    // Sessions further ahead have no session_id yet (20 of the 133 recorded have one); all have entry counts.
    const sessions = guideFile.sessions as Raw[];
    const placed = (await h.db.query(
      `SELECT rw.season_id, rw.race_week_num, i.start_time, i.session_id, i.entry_count, i.predicted
       FROM event_instance i JOIN event e ON e.id = i.event_id JOIN race_week rw ON rw.id = e.race_week_id
       WHERE i.race_guide_at IS NOT NULL`,
    )) as Raw[];
    expect(placed).toHaveLength(sessions.length);
    const at = (season: number, week: number, start: string) =>
      `${season}:${week}:${new Date(start).toISOString()}`;
    const byKey = new Map(placed.map((p) => [at(p.season_id, p.race_week_num, p.start_time), p]));
    for (const s of sessions) {
      const p = byKey.get(at(s.season_id, s.race_week_num, s.start_time)) as Raw;
      expect([p.session_id, p.entry_count]).toEqual([s.session_id ?? null, s.entry_count]);
      expect(p.predicted).toBe(true); // every recorded session is one the schedule predicted
    }
    expect(placed.filter((p) => p.session_id !== null)).toHaveLength(20);
    expect(byEntity(r).event_instance).toMatchObject({ created: 0, updated: sessions.length });

    // A session off the schedule, and one of a season not stored yet (its schedule is fetched first).
    const schedule = sample('series-season_schedule.json');
    const week0 = (schedule.schedules as Raw[])[0];
    h.replica.override('season/race_guide', (payload) => {
      const p = payload as Raw;
      p.sessions = [
        ...p.sessions,
        { ...sessions[0], start_time: '2025-09-09T12:07:00Z', session_id: 1, entry_count: 3 },
        {
          season_id: schedule.season_id,
          series_id: week0.series_id,
          race_week_num: 0,
          start_time: week0.start_date + 'T18:00:00Z',
          end_time: week0.start_date + 'T19:00:00Z',
          session_id: 2,
          entry_count: 12,
          super_session: false,
        },
      ];
      return p;
    });
    await h.clearIracingCache();
    // That season's schedule names tracks the (older) recorded catalog lacks: it fails, and so do its sessions.
    const partial = await run(SYNC_GUIDE);
    expect(partial.status).toBe('PARTIAL');
    expect(partial.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^season 5935 names track_id 572, 539 that the catalog does not list/),
      expect.stringMatching(/^1 race guide session\(s\) name season 5935 week 0, which is not stored/),
    ]);
    expect((await h.db.query('SELECT count(*)::int AS n FROM season WHERE season_id = 5935'))[0].n).toBe(0);
    // With its weeks on known tracks, the season is fetched and the session placed.
    h.replica.override('series/season_schedule', (payload) => {
      for (const w of (payload as Raw).schedules as Raw[]) w.track = { ...w.track, track_id: 191 };
      return payload;
    });
    await h.clearIracingCache();
    const more = await run(SYNC_GUIDE);
    expect(more.errors).toEqual([]);
    expect(more.status).toBe('SUCCEEDED');
    expect(byEntity(more).season.created).toBe(1);
    expect(byEntity(more).event_instance.created).toBeGreaterThanOrEqual(2);
    const extra = (await h.db.query(
      `SELECT i.session_id, i.predicted, rw.season_id, e.track_id, rw.track_id AS week_track
       FROM event_instance i JOIN event e ON e.id = i.event_id JOIN race_week rw ON rw.id = e.race_week_id
       WHERE i.session_id IN (1, 2) ORDER BY i.session_id`,
    )) as Raw[];
    expect(extra).toEqual([
      expect.objectContaining({ session_id: 1, predicted: false, season_id: sessions[0].season_id }),
      expect.objectContaining({
        session_id: 2,
        season_id: schedule.season_id,
        track_id: 191,
        week_track: 191,
      }),
    ]);
    expect((await h.db.query('SELECT count(*)::int AS n FROM event WHERE track_id IS NULL'))[0].n).toBe(0);
    // The guide again: nothing new.
    const same = await run(SYNC_GUIDE);
    expect(same.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
  });

  it('rolls a dry run back, returning what would change', async () => {
    const before = await tableCounts();
    h.replica.override('series/seasons', (payload) => {
      for (const s of payload as Raw[]) for (const w of s.schedules as Raw[]) w.race_lap_limit = 1;
      return payload;
    });
    const dry = await syncSeasons({ dryRun: true });
    expect(dry.status).toBe('SUCCEEDED');
    expect(dry.dryRun).toBe(true);
    expect(byEntity(dry).race_week.updated).toBeGreaterThan(400);
    expect(await tableCounts()).toEqual(before);
    expect((await h.db.query('SELECT count(*)::int AS n FROM race_week WHERE race_lap_limit = 1'))[0].n).toBe(
      0,
    );
  });

  it('imports only the seasons named by seasonIds', async () => {
    const [target] = seasonsFile;
    const one = await syncSeasons({ seasonIds: [target.season_id], refresh: true, dryRun: true });
    expect(one.status).toBe('SUCCEEDED');
    const stored = await h.db.query('SELECT params FROM sync_run WHERE id = $1', [one.id]);
    expect(stored[0].params).toMatchObject({ seasonIds: [target.season_id] });
    const weeks = byEntity(one).race_week;
    expect(weeks.created + weeks.updated + weeks.unchanged).toBe((target.schedules as Raw[]).length);
    const refused = await h.gql(SYNC_SEASONS, { input: { seasonIds: [0] } }, ADMIN_KEY);
    expect(refused.errors?.[0].message).toMatch(/seasonIds must list ids of 1 or more/);
  });

  it('serves the graph in a number of statements bounded by its depth, not its rows', async () => {
    const small = await recordStatements(h, () => h.data(GRAPH, { first: 3 }));
    const large = await recordStatements(h, () => h.data(GRAPH, { first: 100 }));
    // One selection-compiled statement (docs/architecture.md §6.11), or through the resolvers page + count,
    // series, classes, weeks, layouts, restrictions, cars, event classes, their classes' cars: the same statements
    // for 3 seasons as for 100 (the restrictions' cars and the classes' cars may share a batch).
    expect(statementShapes(large)).toEqual(statementShapes(small));
    expect(large.length).toBeLessThanOrEqual(10);
    expect(small.length).toBeLessThanOrEqual(10);
  });

  it('filters race weeks and the session calendar, and names bad arguments', async () => {
    const target = seasonsFile[14];
    const week = (target.schedules as Raw[])[0];
    const weeks = await h.data<Raw>(
      `query($f: RaceWeekFilter) { raceWeeks(filter: $f, first: 100) { totalCount edges { node { seasonId layout { id } } } } }`,
      { f: { trackIds: [week.track.track_id], from: '2025-09-09T00:00:00Z', to: '2025-09-16T00:00:00Z' } },
    );
    expect(weeks.raceWeeks.totalCount).toBeGreaterThan(0);
    for (const e of weeks.raceWeeks.edges) expect(e.node.layout.id).toBe(week.track.track_id);

    const cal = await h.data<Raw>(
      `query($f: SessionFilter) { sessions(filter: $f, first: 5) { totalCount edges { node { startTime
         raceWeek { seasonId raceWeekNum } event { series { id } } } } } }`,
      { f: { seriesIds: [target.series_id], from: '2025-09-09T00:00:00Z', to: '2025-09-10T00:00:00Z' } },
    );
    expect(cal.sessions.totalCount).toBeGreaterThan(0);
    const starts = cal.sessions.edges.map((e: Raw) => e.node.startTime as string);
    expect(starts).toEqual([...starts].sort());
    for (const e of cal.sessions.edges) expect(e.node.event.series.id).toBe(target.series_id);

    const bad = await h.gql(
      `{ sessions(filter: { from: "2025-09-10T00:00:00Z", to: "2025-09-09T00:00:00Z" }) { totalCount } }`,
    );
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0].message).toMatch(/"from" .* must be before "to"/);
    const missing = await h.gql(`{ season(id: 1) { id } }`);
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const notDate = await h.gql(`{ raceWeeks(filter: { from: "yesterday" }) { totalCount } }`);
    expect(notDate.errors?.[0].extensions?.code).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/);
  });
});
