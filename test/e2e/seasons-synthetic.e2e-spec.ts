// The seasons graph end to end on the synthetic world (scale 0.2, a fixed clock): syncSeasons → Bull → replica →
// database → GraphQL. Counts equal both the rows and what the replica serves, rotating series keep their weekly
// cars, past seasons are fetched once, `limit` is honoured, predicted sessions follow the race time descriptors,
// the session calendar filters by car, and the race guide places its sessions on their weeks.
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { sessionStarts } from '../../src/seasons/session-times.js';
import type { RaceTimeDescriptor } from '../../src/seasons/session-times.js';
import { ADMIN_KEY, startHarness, SYNC_RUN_FIELDS } from '../support/harness.js';
import type { Harness, SyncRunView } from '../support/harness.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const NOW = new Date('2026-11-19T15:00:00Z');
const WORLD = { seed: 3, scale: 0.2, now: NOW };
const DAY = 86_400_000;

const SYNC_SEASONS = `mutation($input: SyncSeasonsInput) { syncSeasons(input: $input) { ${SYNC_RUN_FIELDS} } }`;
const SYNC_GUIDE = `mutation { syncRaceGuide { ${SYNC_RUN_FIELDS} } }`;

describe('seasons sync (end to end, synthetic world)', () => {
  let h: Harness;
  let pastAgain: SyncRunView;
  // A second instance of the same world: what the replica serves, read without going through it.
  const expected = syntheticDataset(WORLD);
  const served = (endpoint: string, params: Record<string, string> = {}) =>
    expected.resolve(endpoint, new URLSearchParams(params), { baseUrl: h.replica.url, now: NOW }) as Raw;

  const run = async (mutation: string, variables: Raw = {}): Promise<SyncRunView> => {
    const data = await h.data<Record<string, SyncRunView>>(mutation, variables, ADMIN_KEY);
    return h.waitForRun(Object.values(data)[0].id);
  };
  const syncSeasons = (input: Raw = {}) => run(SYNC_SEASONS, { input });
  const byEntity = (r: SyncRunView) => Object.fromEntries(r.countsByEntity.map((c) => [c.entity, c]));
  const count = async (sql: string, params: unknown[] = []) =>
    ((await h.db.query(`SELECT (${sql})::int AS n`, params)) as { n: number }[])[0].n;

  beforeAll(async () => {
    h = await startHarness({ dataset: syntheticDataset(WORLD), now: () => NOW });
  });
  afterAll(async () => {
    await h?.close();
  });
  afterEach(async () => {
    h.replica.clearOverrides();
    await h.clearIracingCache();
  });

  it('imports the current and next seasons cold: counts equal the rows and what the replica serves', async () => {
    const r = await syncSeasons();
    expect(r.errors).toEqual([]);
    expect(r.status).toBe('SUCCEEDED');
    const e = byEntity(r);

    const seasons = served('series/seasons') as unknown as Raw[];
    const weeks = seasons.flatMap((s) => s.schedules as Raw[]);
    const restrictions = weeks.flatMap((w) => (w.car_restrictions ?? []) as Raw[]);
    // What the schedule predicts: every start of every week's descriptors, before the week ends.
    const predicted = weeks.reduce(
      (n, w) =>
        n +
        sessionStarts(
          w.race_time_descriptors as RaceTimeDescriptor[],
          new Date(`${w.start_date}T00:00:00Z`),
          new Date(w.week_end_time),
        ).length,
      0,
    );
    expect(seasons.length).toBeGreaterThan(20);

    const rows = {
      season: await count('SELECT count(*) FROM season'),
      race_week: await count('SELECT count(*) FROM race_week'),
      car_restriction: await count('SELECT count(*) FROM car_restriction'),
      event: await count('SELECT count(*) FROM event'),
      event_instance: await count('SELECT count(*) FROM event_instance'),
    };
    expect(rows).toEqual({
      season: seasons.length,
      race_week: weeks.length,
      car_restriction: restrictions.length,
      event: weeks.length,
      event_instance: predicted,
    });
    for (const [entity, n] of Object.entries(rows)) expect([entity, e[entity]?.created]).toEqual([entity, n]);
    expect(e.sim_car.created).toBeGreaterThan(0); // the catalog was fetched first

    // Every event sits on its week's track.
    expect(await count('SELECT count(*) FROM event WHERE track_id IS NULL')).toBe(0);
    expect(
      await count(
        'SELECT count(*) FROM event e JOIN race_week rw ON rw.id = e.race_week_id WHERE e.track_id <> rw.track_id',
      ),
    ).toBe(0);
    const servedTracks = new Map(weeks.map((w) => [`${w.season_id}:${w.race_week_num}`, w.track.track_id]));
    const stored = (await h.db.query(
      'SELECT rw.season_id, rw.race_week_num, e.track_id FROM event e JOIN race_week rw ON rw.id = e.race_week_id',
    )) as Raw[];
    for (const s of stored) expect(s.track_id).toBe(servedTracks.get(`${s.season_id}:${s.race_week_num}`));
  });

  it("keeps a rotating series' weekly cars, and its events list only those cars", async () => {
    const seasons = served('series/seasons') as unknown as Raw[];
    const servedCars = new Map(
      seasons.flatMap((s) =>
        (s.schedules as Raw[]).map((w) => [
          `${w.season_id}:${w.race_week_num}`,
          ((w.race_week_cars ?? []) as Raw[]).map((c) => c.car_id as number).sort((a, b) => a - b),
        ]),
      ),
    );
    const rotating = [...servedCars.values()].filter((cars) => cars.length > 0);
    expect(rotating.length).toBeGreaterThan(0);

    const weeks = (await h.db.query(
      'SELECT id, season_id, race_week_num, car_ids, car_class_ids FROM race_week ORDER BY id',
    )) as Raw[];
    for (const w of weeks) {
      const cars = [...(w.car_ids as number[])].sort((a, b) => a - b);
      expect([w.season_id, w.race_week_num, cars]).toEqual([
        w.season_id,
        w.race_week_num,
        servedCars.get(`${w.season_id}:${w.race_week_num}`),
      ]);
    }

    const withCars = weeks.filter((w) => (w.car_ids as number[]).length > 0);
    expect(withCars).toHaveLength(rotating.length);
    // Spread over the list: the first, the last and a few between.
    const picked = [...new Set([0, 1, 2, 3, 4].map((k) => Math.floor((k * (withCars.length - 1)) / 4)))].map(
      (i) => withCars[i],
    );
    for (const w of picked) {
      const q = await h.data<Raw>(
        `query($id: Int!) { raceWeek(id: $id) { event { classes { carClass { id } cars { id } } } } }`,
        { id: w.id },
      );
      const classes = q.raceWeek.event.classes as Raw[];
      expect(classes.map((c) => c.carClass.id).sort()).toEqual([...(w.car_class_ids as number[])].sort());
      for (const c of classes) {
        const cars = (c.cars as Raw[]).map((x) => x.id as number);
        expect(cars.length).toBeGreaterThan(0);
        for (const id of cars)
          expect([w.id, id, (w.car_ids as number[]).includes(id)]).toEqual([w.id, id, true]);
      }
    }
  });

  it("stores predicted session starts equal to those of the week's stored race time descriptors", async () => {
    const pick = async (where: string) =>
      (
        (await h.db.query(
          `SELECT id, race_time_descriptors, start_time, end_time FROM race_week rw WHERE ${where}
           ORDER BY random() LIMIT 1`,
        )) as Raw[]
      )[0];
    // One week of each kind of descriptor, and one more at random.
    const weeks = [
      await pick(`rw.race_time_descriptors @> '[{"repeating": true}]'`),
      await pick(`rw.race_time_descriptors @> '[{"repeating": false}]'`),
      await pick('true'),
    ];
    for (const w of weeks) {
      expect(w).toBeDefined();
      const want = sessionStarts(w.race_time_descriptors as RaceTimeDescriptor[], w.start_time, w.end_time);
      expect(want.length).toBeGreaterThan(0);
      const got = (await h.db.query(
        `SELECT i.start_time, i.end_time, i.session_minutes, i.super_session FROM event_instance i
         JOIN event e ON e.id = i.event_id WHERE e.race_week_id = $1 AND i.predicted ORDER BY i.start_time`,
        [w.id],
      )) as Raw[];
      expect(got.map((i) => (i.start_time as Date).toISOString())).toEqual(
        want.map((s) => s.start.toISOString()),
      );
      expect(got.map((i) => [(i.end_time as Date | null)?.toISOString() ?? null, i.session_minutes])).toEqual(
        want.map((s) => [s.end?.toISOString() ?? null, s.sessionMinutes]),
      );
    }
  });

  // iRacing's week_end_time of a week with fixed session times is its last session's start (in the recorded
  // samples too): that session must still be predicted.
  it('predicts every session a fixed-times week lists, its last one included', async () => {
    expect(
      await count(`SELECT count(*) FROM race_week WHERE race_time_descriptors @> '[{"repeating": false}]'`),
    ).toBeGreaterThan(0);
    const missing = await count(
      `SELECT count(*) FROM race_week rw, jsonb_array_elements(rw.race_time_descriptors) d,
         jsonb_array_elements_text(d->'session_times') t
       WHERE d->>'repeating' = 'false' AND NOT EXISTS (SELECT 1 FROM event_instance i JOIN event e ON e.id = i.event_id
         WHERE e.race_week_id = rw.id AND i.start_time = t::timestamptz)`,
    );
    expect(missing).toBe(0);
  });

  it('lists on the session calendar only the sessions whose week lets the car race', async () => {
    // A car of a rotating week that also races through its class in a week that lists no cars, when there is one.
    const [car] = (await h.db.query(
      `SELECT x.car_id FROM race_week rw, unnest(rw.car_ids) AS x(car_id)
       GROUP BY x.car_id
       ORDER BY EXISTS (SELECT 1 FROM race_week o JOIN car_class_car m ON m.car_class_id = ANY(o.car_class_ids)
                        WHERE cardinality(o.car_ids) = 0 AND m.car_id = x.car_id) DESC, count(*) DESC, x.car_id
       LIMIT 1`,
    )) as { car_id: number }[];
    expect(car).toBeDefined();
    const x = car.car_id;
    const from = NOW.toISOString();
    const to = new Date(NOW.getTime() + 2 * DAY).toISOString();
    const allows = `(CASE WHEN cardinality(rw.car_ids) > 0 THEN $3 = ANY(rw.car_ids)
      ELSE EXISTS (SELECT 1 FROM car_class_car m WHERE m.car_class_id = ANY(rw.car_class_ids) AND m.car_id = $3) END)`;
    const want = (
      (await h.db.query(
        `SELECT i.id FROM event_instance i JOIN event e ON e.id = i.event_id JOIN race_week rw ON rw.id = e.race_week_id
         WHERE i.start_time >= $1 AND i.start_time < $2 AND ${allows} ORDER BY i.start_time, i.id`,
        [from, to, x],
      )) as { id: number }[]
    ).map((r) => r.id);
    expect(want.length).toBeGreaterThan(0);
    // Some sessions in the window are of weeks the car cannot race: the filter has something to remove.
    expect(
      await count(
        `SELECT count(*) FROM event_instance i JOIN event e ON e.id = i.event_id JOIN race_week rw ON rw.id = e.race_week_id
         WHERE i.start_time >= $1 AND i.start_time < $2 AND NOT ${allows}`,
        [from, to, x],
      ),
    ).toBeGreaterThan(0);

    const got: number[] = [];
    let after: string | null = null;
    for (let page = 0; page < 50; page++) {
      const q: Raw = await h.data<Raw>(
        `query($f: SessionFilter, $after: String) { sessions(filter: $f, first: 100, after: $after) {
           totalCount pageInfo { hasNextPage endCursor } edges { node { id startTime } } } }`,
        { f: { from, to, carIds: [x] }, after },
      );
      expect(q.sessions.totalCount).toBe(want.length);
      got.push(...(q.sessions.edges as Raw[]).map((edge) => edge.node.id as number));
      if (!q.sessions.pageInfo.hasNextPage) break;
      after = q.sessions.pageInfo.endCursor as string;
    }
    expect(got).toEqual(want);
  });

  it('places the race guide sessions on their weeks: predicted ones updated, the others created', async () => {
    // The importer asks from the wall clock; the replica's world follows NOW: serve the guide as of NOW.
    // One more session, seven minutes off its week's schedule: the importer creates it.
    const guide = () => {
      const g = served('season/race_guide', { from: NOW.toISOString(), include_end_after_from: 'true' });
      const first = (g.sessions as Raw[])[0];
      const offStart = new Date(Date.parse(first.start_time as string) + 7 * 60_000).toISOString();
      g.sessions = [
        ...(g.sessions as Raw[]),
        { ...first, start_time: offStart, session_id: 1, entry_count: 3 },
      ];
      return g;
    };
    const asked: string[] = [];
    h.replica.override('season/race_guide', (_payload, params) => {
      asked.push(params.get('from') ?? '');
      return guide();
    });
    const sessions = guide().sessions as Raw[];
    expect(sessions.length).toBeGreaterThan(20);

    const r = await run(SYNC_GUIDE);
    expect(r.errors).toEqual([]);
    expect(r.status).toBe('SUCCEEDED');
    expect(asked).toHaveLength(1);
    expect(Math.abs(Date.parse(asked[0]) - Date.now())).toBeLessThan(120_000);

    const placed = (await h.db.query(
      `SELECT rw.season_id, rw.race_week_num, i.start_time, i.session_id, i.entry_count, i.predicted
       FROM event_instance i JOIN event e ON e.id = i.event_id JOIN race_week rw ON rw.id = e.race_week_id
       WHERE i.race_guide_at IS NOT NULL`,
    )) as Raw[];
    expect(placed).toHaveLength(sessions.length);
    const key = (season: number, week: number, start: string | Date) =>
      `${season}:${week}:${new Date(start).toISOString()}`;
    const byKey = new Map(placed.map((p) => [key(p.season_id, p.race_week_num, p.start_time), p]));
    for (const s of sessions) {
      const p = byKey.get(key(s.season_id, s.race_week_num, s.start_time));
      expect(p).toBeDefined();
      expect([p?.session_id, p?.entry_count]).toEqual([s.session_id ?? null, s.entry_count]);
    }
    // A session is one the schedule predicted exactly when its week's descriptors give its start.
    const weeks = (await h.db.query(
      'SELECT season_id, race_week_num, race_time_descriptors, start_time, end_time FROM race_week',
    )) as Raw[];
    const starts = new Map(
      weeks.map((w) => [
        `${w.season_id}:${w.race_week_num}`,
        new Set(
          sessionStarts(w.race_time_descriptors as RaceTimeDescriptor[], w.start_time, w.end_time).map((x) =>
            x.start.toISOString(),
          ),
        ),
      ]),
    );
    for (const p of placed) {
      const start = (p.start_time as Date).toISOString();
      expect([key(p.season_id, p.race_week_num, start), p.predicted]).toEqual([
        key(p.season_id, p.race_week_num, start),
        starts.get(`${p.season_id}:${p.race_week_num}`)?.has(start),
      ]);
    }
    const unpredicted = placed.filter((p) => !p.predicted);
    expect(unpredicted.map((p) => p.session_id)).toContain(1);
    expect(byEntity(r).event_instance).toMatchObject({
      created: unpredicted.length,
      updated: sessions.length - unpredicted.length,
    });
    // The same guide again: nothing changes.
    await h.clearIracingCache();
    const again = await run(SYNC_GUIDE);
    expect(again.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
  });

  it('imports the past seasons of the series asked for, and fetches a complete one only once', async () => {
    const series = (served('series/get') as unknown as Raw[]).map((s) => s.series_id as number);
    // Two series with past seasons.
    const withPast = series.filter(
      (id) => (served('series/past_seasons', { series_id: String(id) }).series.seasons as Raw[]).length > 1,
    );
    const ids = [withPast[0], withPast[withPast.length - 1]];
    expect(new Set(ids).size).toBe(2);

    const r = await syncSeasons({ includePast: true, seriesIds: ids });
    expect(r.errors).toEqual([]);
    expect(r.status).toBe('SUCCEEDED');

    const current = (served('series/seasons') as unknown as Raw[]).filter((s) => ids.includes(s.series_id));
    const past = ids.flatMap(
      (id) => served('series/past_seasons', { series_id: String(id) }).series.seasons as Raw[],
    );
    const all = new Set([...current, ...past].map((s) => s.season_id as number));
    const stored = (await h.db.query(
      'SELECT season_id, complete FROM season WHERE series_id = ANY($1::int[]) ORDER BY season_id',
      [ids],
    )) as { season_id: number; complete: boolean }[];
    expect(stored.map((s) => s.season_id)).toEqual([...all].sort((a, b) => a - b));
    const complete = past.filter((s) => s.active === false).map((s) => s.season_id as number);
    expect(complete.length).toBeGreaterThan(0);
    expect(
      stored
        .filter((s) => s.complete)
        .map((s) => s.season_id)
        .sort((a, b) => a - b),
    ).toEqual([...complete].sort((a, b) => a - b));
    // Every past season has its weeks, as many as its schedule lists.
    for (const s of past) {
      const weeks = await count('SELECT count(*) FROM race_week WHERE season_id = $1', [s.season_id]);
      expect([s.season_id, weeks]).toEqual([s.season_id, (s.race_weeks as Raw[]).length]);
      expect(weeks).toBeGreaterThan(0);
    }
    // Other series' past seasons were not fetched.
    expect(
      await count('SELECT count(*) FROM season WHERE complete AND NOT (series_id = ANY($1::int[]))', [ids]),
    ).toBe(0);

    // Again: no schedule of a complete season is fetched, and nothing of those seasons is written.
    const written = async () =>
      (await h.db.query(
        `SELECT (SELECT max(updated_at) FROM season WHERE season_id = ANY($1::int[])) AS seasons,
           (SELECT max(updated_at) FROM race_week WHERE season_id = ANY($1::int[])) AS weeks,
           (SELECT max(i.updated_at) FROM event_instance i JOIN event e ON e.id = i.event_id
            WHERE e.season_id = ANY($1::int[])) AS instances`,
        [complete],
      )) as Raw[];
    const before = await written();
    await h.clearIracingCache();
    h.replica.resetStats();
    pastAgain = await syncSeasons({ includePast: true, seriesIds: ids });
    expect(pastAgain.status).toBe('SUCCEEDED');
    // No schedule is fetched again: complete seasons are stored, and the running one (which past_seasons lists
    // as active) is series/seasons' to import.
    expect(past.some((s) => s.active === true)).toBe(true);
    expect(h.replica.stats.dataRequests['series/season_schedule'] ?? 0).toBe(0);
    expect(pastAgain.counts).toMatchObject({ created: 0, deleted: 0, failed: 0 });
    expect(byEntity(pastAgain).season.unchanged).toBeGreaterThanOrEqual(complete.length);
    expect(await written()).toEqual(before);
  }, 30_000);

  // series/past_seasons also lists the running season: it must not be re-imported (and rewritten) through the
  // poorer past-seasons path.
  it('reports nothing updated on a second identical includePast run', () => {
    expect(pastAgain.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
  });

  it('stores no more seasons than the limit', async () => {
    // resetDatabase restarts sync_run ids while Bull keeps the finished jobs of the old ones: job ids must
    // still be new.
    await h.resetDatabase();
    const r = await syncSeasons({ limit: 3, refresh: true });
    expect(r.errors).toEqual([]);
    expect(r.status).toBe('SUCCEEDED');
    expect(await count('SELECT count(*) FROM season')).toBe(3);
    expect(byEntity(r).season.created).toBe(3);
    const first = (served('series/seasons') as unknown as Raw[])
      .slice(0, 3)
      .map((s) => s.season_id as number);
    const stored = (await h.db.query('SELECT season_id FROM season ORDER BY season_id')) as Raw[];
    expect(stored.map((s) => s.season_id)).toEqual([...first].sort((a, b) => a - b));
  }, 30_000);
});
