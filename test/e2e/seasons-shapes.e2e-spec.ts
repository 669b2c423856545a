// A season known only from its schedule, end to end: the race guide names a season that `series/seasons` does not
// list, of a series that `series/get` does not list (a retired one); its schedule is fetched and imported. The
// series takes its category from the weeks, the season and its events their car classes from the cars the weeks
// allow (through the catalog's classes), so the calendar's filters by class, car and owned content find its weeks.
// Every iRacing answer is a small hand-written payload in the real shape, served through replica overrides.
import { ScheduleOnly1795319200000 } from '../../src/core/database/migrations/1795319200000-ScheduleOnly.js';
import type { ReplicaDataset } from '../../offline/datasets.js';
import { ADMIN_KEY, startHarness, SYNC_RUN_FIELDS } from '../support/harness.js';
import type { Harness, SyncRunView } from '../support/harness.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const DAY = 86_400_000;
const TODAY = Math.floor(Date.now() / DAY) * DAY;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

// The catalog: two GT cars with a class of their own (and a single-car class each), a prototype, a car the season
// does not allow, and a class holding every car (not wholly allowed: never chosen).
const car = (car_id: number, name: string, make: string, model: string, free = false) => ({
  car_id,
  car_name: name,
  car_name_abbreviated: name.slice(0, 4).toUpperCase(),
  car_make: make,
  car_model: model,
  package_id: car_id + 1000,
  categories: ['sports_car'],
  car_types: [{ car_type: 'sports_car' }],
  free_with_subscription: free,
  price: 11.95,
  hp: 500,
  car_weight: 2800,
  retired: false,
});
const CARS = [
  car(101, 'Retro GT Alpha', 'Retro', 'GT Alpha'),
  car(102, 'Retro GT Beta', 'Retro', 'GT Beta'),
  car(103, 'Proto X1', 'Proto', 'X1'),
  car(104, 'Street Special', 'Street', 'Special'),
];
const cls = (car_class_id: number, name: string, cars: number[], relative_speed: number) => ({
  car_class_id,
  name,
  short_name: name,
  relative_speed,
  rain_enabled: false,
  cust_id: 0,
  cars_in_class: cars.map((car_id) => ({ car_id, package_id: car_id + 1000 })),
});
const CLASSES = [
  cls(501, 'Retro GT', [101, 102], 60),
  cls(511, 'Retro GT Alpha', [101], 60),
  cls(512, 'Retro GT Beta', [102], 60),
  cls(513, 'Proto X1', [103], 80),
  cls(514, 'Street Special', [104], 40),
  cls(520, 'Open', [101, 102, 103, 104], 50),
];
const TRACKS = [
  {
    track_id: 301,
    track_name: 'Old Ring',
    config_name: 'Grand Prix',
    package_id: 401,
    category: 'road',
    track_types: [{ track_type: 'road' }],
    track_config_length: 3.1,
    corners_per_lap: 14,
    free_with_subscription: false,
    price: 14.95,
    location: 'Somewhere, Europe',
    latitude: 50.1,
    longitude: 6.9,
    time_zone: 'Europe/Berlin',
    retired: false,
  },
  {
    track_id: 302,
    track_name: 'Speedway Park',
    config_name: 'Oval',
    package_id: 402,
    category: 'oval',
    track_types: [{ track_type: 'oval' }],
    track_config_length: 1.5,
    free_with_subscription: true,
    price: 0,
    location: 'Elsewhere, USA',
    retired: false,
  },
];

// The season, as `series/season_schedule` serves it: no car class anywhere, the cars in each week's BOP table.
const SEASON_ID = 9001;
const SERIES_ID = 200;
const restriction = (car_id: number, fuel = 100) => ({
  car_id,
  max_dry_tire_sets: 0,
  max_pct_fuel_fill: fuel,
  power_adjust_pct: 0,
  weight_penalty_kg: 0,
});
const week = (num: number, cars: number[], extra: Raw = {}) => {
  const start = TODAY - DAY + num * 7 * DAY;
  return {
    season_id: SEASON_ID,
    race_week_num: num,
    car_restrictions: cars.map((c) => restriction(c)),
    category: 'sports_car',
    category_id: 5,
    practice_length: 10,
    qualify_laps: 2,
    qualify_length: 8,
    race_lap_limit: null,
    race_time_limit: 60,
    race_time_descriptors: [
      {
        day_offset: [0, 1, 2, 3, 4, 5, 6],
        first_session_time: '00:30:00',
        repeat_minutes: 120,
        repeating: true,
        session_minutes: 80,
        start_date: day(start),
        super_session: false,
      },
    ],
    restart_type: 'Double-file Back',
    schedule_name: 'Retro Endurance - every 2 hours at :30',
    season_name: 'Retro Endurance Series - 2026 Season 1',
    series_id: SERIES_ID,
    series_name: 'Retro Endurance Series',
    start_date: day(start),
    start_type: 'Rolling',
    track: {
      category: 'road',
      category_id: 2,
      config_name: 'Grand Prix',
      track_id: 301,
      track_name: 'Old Ring',
    },
    track_state: { leave_marbles: true },
    warmup_length: 0,
    week_end_time: new Date(start + 7 * DAY - 2 * 60_000).toISOString(),
    ...extra,
  };
};
const SCHEDULE = {
  success: true,
  season_id: SEASON_ID,
  schedules: [
    week(0, [101, 102, 103]),
    week(1, [101, 102, 103]),
    // A week at an oval (still a sports car week) allowing the GT cars only.
    week(2, [101, 102], {
      track: {
        category: 'oval',
        category_id: 1,
        config_name: 'Oval',
        track_id: 302,
        track_name: 'Speedway Park',
      },
    }),
  ],
};
const CUST_ID = 777001;

/** Serves nothing by itself: every answer of this file is an override. */
const nothing: ReplicaDataset = { resolve: () => undefined };

describe('a season known only from its schedule (end to end, hand-written payloads)', () => {
  let h: Harness;
  const from = new Date(TODAY - DAY).toISOString();
  const to = new Date(TODAY + 20 * DAY).toISOString();

  const run = async (mutation: string, variables: Raw = {}): Promise<SyncRunView> => {
    const data = await h.data<Record<string, SyncRunView>>(mutation, variables, ADMIN_KEY);
    return h.waitForRun(Object.values(data)[0].id);
  };
  const sessions = async (f: Raw) =>
    (
      await h.data<{ sessions: { totalCount: number } }>(
        `query($f: SessionFilter) { sessions(filter: $f, first: 1) { totalCount } }`,
        { f: { from, to, ...f } },
        ADMIN_KEY,
      )
    ).sessions.totalCount;
  /** Sessions of the season's weeks, counted in SQL. */
  const sessionsOfWeeks = async (weeks: number[]) =>
    (
      (await h.db.query(
        `SELECT count(*)::int AS n FROM event_instance i JOIN event e ON e.id = i.event_id
         JOIN race_week rw ON rw.id = e.race_week_id
         WHERE rw.season_id = $1 AND rw.race_week_num = ANY($2::int[]) AND i.start_time >= $3 AND i.start_time < $4`,
        [SEASON_ID, weeks, from, to],
      )) as { n: number }[]
    )[0].n;

  beforeAll(async () => {
    h = await startHarness({ dataset: nothing });
    h.replica.override('car/get', () => CARS);
    h.replica.override('carclass/get', () => CLASSES);
    h.replica.override('track/get', () => TRACKS);
    // series/get lists another series only: series 200 is retired.
    h.replica.override('series/get', () => [
      { series_id: 100, series_name: 'Current Cup', category: 'oval', category_id: 1, eligible: true },
    ]);
    h.replica.override('series/seasons', () => []);
    h.replica.override('series/season_schedule', (_p, params) =>
      params.get('season_id') === String(SEASON_ID) ? structuredClone(SCHEDULE) : undefined,
    );
    h.replica.override('season/race_guide', () => ({
      subscribed: false,
      success: true,
      block_begin_time: new Date(TODAY).toISOString(),
      block_end_time: new Date(TODAY + 3 * 3_600_000).toISOString(),
      sessions: [
        {
          season_id: SEASON_ID,
          series_id: SERIES_ID,
          race_week_num: 0,
          start_time: new Date(TODAY + DAY + 30 * 60_000).toISOString(),
          end_time: new Date(TODAY + DAY + 110 * 60_000).toISOString(),
          super_session: false,
          session_id: 123456,
          entry_count: 17,
        },
      ],
    }));
    h.replica.override('member/info', () => ({
      cust_id: CUST_ID,
      display_name: 'Test Racer',
      flair_id: 1,
      flair_name: 'Nowhere',
      flair_shortname: 'NWH',
      // Owns the Beta and the road track; the oval is free.
      car_packages: [{ package_id: 1102, content_ids: [102] }],
      track_packages: [{ package_id: 401, content_ids: [301] }],
    }));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('imports the season the race guide names from its schedule: series category and classes from its weeks', async () => {
    const series = await run(`mutation { syncSeasons { ${SYNC_RUN_FIELDS} } }`);
    expect(series.status).toBe('SUCCEEDED');
    const guide = await run(`mutation { syncRaceGuide { ${SYNC_RUN_FIELDS} } }`);
    expect(guide.errors).toEqual([]);
    expect(guide.status).toBe('SUCCEEDED');

    const d = await h.data<Raw>(
      `query($series: Int!, $season: Int!) {
        series(id: $series) { id name category }
        season(id: $season) { id name multiclass carClassIds carClasses { id }
          raceWeeks { raceWeekNum carClassIds carIds event { classes { position carClass { id } cars { id } } } } }
        seriesList(filter: { category: SPORTS_CAR }) { edges { node { id } } }
      }`,
      { series: SERIES_ID, season: SEASON_ID },
    );
    expect(d.series).toEqual({ id: SERIES_ID, name: 'Retro Endurance Series', category: 'sports_car' });
    expect(d.seriesList.edges.map((e: Raw) => e.node.id)).toEqual([SERIES_ID]);
    expect((await h.db.query('SELECT category_id FROM series WHERE series_id = $1', [SERIES_ID]))[0]).toEqual(
      {
        category_id: 5,
      },
    );
    // The GT class (not its single-car classes, not the class with a car not allowed) and the prototype's.
    expect(d.season).toMatchObject({
      name: 'Retro Endurance Series - 2026 Season 1',
      multiclass: true,
      carClassIds: [501, 513],
    });
    expect(d.season.carClasses.map((c: Raw) => c.id).sort()).toEqual([501, 513]);
    expect(
      d.season.raceWeeks.map((w: Raw) => [
        w.raceWeekNum,
        w.carClassIds,
        w.carIds,
        w.event.classes.map((c: Raw) => [c.position, c.carClass.id, c.cars.map((x: Raw) => x.id).sort()]),
      ]),
    ).toEqual([
      // Fastest class first.
      [
        0,
        [501, 513],
        [],
        [
          [0, 513, [103]],
          [1, 501, [101, 102]],
        ],
      ],
      [
        1,
        [501, 513],
        [],
        [
          [0, 513, [103]],
          [1, 501, [101, 102]],
        ],
      ],
      [2, [501], [], [[0, 501, [101, 102]]]],
    ]);
    // The race guide's session landed on week 0.
    const [placed] = (await h.db.query(
      `SELECT rw.race_week_num, i.entry_count FROM event_instance i JOIN event e ON e.id = i.event_id
       JOIN race_week rw ON rw.id = e.race_week_id WHERE i.session_id = 123456`,
    )) as Raw[];
    expect(placed).toEqual({ race_week_num: 0, entry_count: 17 });
  });

  it('finds its weeks on the calendar by car class, car and owned content', async () => {
    const all = await sessionsOfWeeks([0, 1, 2]);
    const withProto = await sessionsOfWeeks([0, 1]);
    expect(withProto).toBeGreaterThan(0);
    expect(all).toBeGreaterThan(withProto);

    expect(await sessions({ carClassIds: [501] })).toBe(all);
    expect(await sessions({ carClassIds: [513] })).toBe(withProto);
    expect(await sessions({ carClassIds: [514] })).toBe(0);
    expect(await sessions({ carIds: [102] })).toBe(all);
    expect(await sessions({ carIds: [103] })).toBe(withProto);
    expect(await sessions({ carIds: [104] })).toBe(0);
    expect(await sessions({ carIds: [103], trackIds: [302] })).toBe(0);

    const owned = await run(`mutation { syncOwnedContent { ${SYNC_RUN_FIELDS} } }`);
    expect(owned.status).toBe('SUCCEEDED');
    // The member owns the Beta and the road track, and the oval is free: every week.
    expect(await sessions({ ownedByCustId: CUST_ID })).toBe(all);
    expect(await sessions({ ownedByCustId: CUST_ID, carClassIds: [513] })).toBe(withProto);
  });

  it('a second race guide and seasons sync change nothing, and keep the category series/get does not give', async () => {
    await h.clearIracingCache();
    const guide = await run(`mutation { syncRaceGuide { ${SYNC_RUN_FIELDS} } }`);
    expect(guide.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
    const seasons = await run(`mutation { syncSeasons { ${SYNC_RUN_FIELDS} } }`);
    expect(seasons.status).toBe('SUCCEEDED');
    expect(seasons.counts).toMatchObject({ created: 0, deleted: 0, failed: 0 });
    const [s] = (await h.db.query('SELECT category FROM series WHERE series_id = $1', [SERIES_ID])) as Raw[];
    expect(s.category).toBe('sports_car');
  });

  it('the ScheduleOnly migration repairs what earlier imports left: the same classes and category, no empty model', async () => {
    const snapshot = async () => ({
      series: await h.db.query('SELECT category, category_id FROM series WHERE series_id = $1', [SERIES_ID]),
      season: await h.db.query('SELECT car_class_ids, multiclass FROM season WHERE season_id = $1', [
        SEASON_ID,
      ]),
      weeks: await h.db.query(
        'SELECT race_week_num, car_class_ids, car_ids FROM race_week WHERE season_id = $1 ORDER BY 1',
        [SEASON_ID],
      ),
      classes: await h.db.query(
        `SELECT rw.race_week_num, c.car_class_id, c.position, c.car_ids FROM event_class c
         JOIN event e ON e.id = c.event_id JOIN race_week rw ON rw.id = e.race_week_id
         WHERE rw.season_id = $1 ORDER BY 1, 3`,
        [SEASON_ID],
      ),
    });
    const want = await snapshot();
    // What the import wrote before: no category, no classes; and a track model a rename left empty.
    await h.db.query('UPDATE series SET category = NULL, category_id = NULL WHERE series_id = $1', [
      SERIES_ID,
    ]);
    await h.db.query("UPDATE season SET car_class_ids = '{}', multiclass = false WHERE season_id = $1", [
      SEASON_ID,
    ]);
    await h.db.query("UPDATE race_week SET car_class_ids = '{}' WHERE season_id = $1", [SEASON_ID]);
    await h.db.query(
      'DELETE FROM event_class WHERE event_id IN (SELECT id FROM event WHERE season_id = $1)',
      [SEASON_ID],
    );
    await h.db.query("INSERT INTO track_model (key, name) VALUES ('gone ring', 'Gone Ring')");
    expect((await snapshot()).classes).toEqual([]);

    const runner = h.db.createQueryRunner();
    try {
      await runner.startTransaction();
      await new ScheduleOnly1795319200000().up(runner);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    expect(await snapshot()).toEqual(want);
    const [empty] = (await h.db.query(
      'SELECT count(*)::int AS n FROM track_model m WHERE NOT EXISTS (SELECT 1 FROM sim_track t WHERE t.track_model_id = m.id)',
    )) as Raw[];
    expect(empty.n).toBe(0);
  });
});
