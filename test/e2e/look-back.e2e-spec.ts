// Looking back end to end on the synthetic world (docs/architecture.md §6.12), each answer known from what the
// replica serves: a season's driver standings imported through STANDINGS and served per division, by page, with
// the viewer's own row (and adding up to the season's race results); a linked racer's rating charts, yearly and
// career totals imported by their member sync; a car's world records at a layout kept for the season quarter.
import { randomBytes } from 'node:crypto';
import { ChunkedPayload } from '../../offline/datasets.js';
import { syntheticMembers } from '../../offline/replica.js';
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { SyncTrigger } from '../../src/scheduler/sync-run.entity.js';
import { SyncRunService } from '../../src/scheduler/sync-run.service.js';
import { ADMIN_KEY, registerLogSecret, startHarness } from '../support/harness.js';
import type { Harness, SyncRunView } from '../support/harness.js';
import { linkRacer, syncCatalogAndSeasons } from '../support/linked.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const NOW = new Date();
const WORLD = { seed: 11, scale: 0.1, now: NOW };
const REDIRECT = 'http://127.0.0.1:5173/auth/iracing/callback';
const KEY = randomBytes(32).toString('base64');
registerLogSecret('TOKEN_ENCRYPTION_KEY (look-back e2e)', KEY);
const CATEGORIES: Record<number, string> = {
  1: 'OVAL',
  3: 'DIRT_OVAL',
  4: 'DIRT_ROAD',
  5: 'SPORTS_CAR',
  6: 'FORMULA_CAR',
};

describe('looking back (synthetic world)', () => {
  let h: Harness;
  /** The viewer token of the racer linked for the history tests. */
  let racerToken: string;
  // A second instance of the same world: what the replica serves, read without going through it.
  const world = syntheticDataset(WORLD);
  const served = (endpoint: string, params: Record<string, string | number>): Raw => {
    const p = world.resolve(
      endpoint,
      new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])),
      { baseUrl: 'http://replica', now: NOW },
    );
    return (p instanceof ChunkedPayload ? p.rows : p) as Raw;
  };
  const entity = (run: SyncRunView, name: string) => run.countsByEntity.find((c) => c.entity === name);
  async function run(mutation: string, variables: Raw = {}): Promise<SyncRunView> {
    const r = await h.data<Raw>(mutation, variables, ADMIN_KEY);
    return h.waitForRun((Object.values(r)[0] as Raw).id as number, 120_000);
  }

  /** The active season and car class with the most drivers in standings spread over several divisions. */
  const standingsSeason = (() => {
    let best:
      { seasonId: number; seriesId: number; carClassId: number; classes: number[]; rows: Raw[] } | undefined;
    for (const season of served('series/seasons', { include_series: 'true' }) as unknown as Raw[]) {
      if (!season.active) continue;
      for (const carClassId of season.car_class_ids as number[]) {
        const rows = served('stats/season_driver_standings', {
          season_id: season.season_id,
          car_class_id: carClassId,
        });
        if (!Array.isArray(rows) || new Set(rows.map((r) => r.division)).size < 2) continue;
        if (!best || rows.length > best.rows.length)
          best = {
            seasonId: season.season_id,
            seriesId: season.series_id,
            carClassId,
            classes: season.car_class_ids,
            rows,
          };
      }
    }
    if (!best) throw new Error('the synthetic world (seed 11) has no active season with standings');
    return best;
  })();

  beforeAll(async () => {
    h = await startHarness(
      {
        dataset: syntheticDataset(WORLD),
        members: syntheticMembers(WORLD),
        redirectUris: [REDIRECT],
        now: () => NOW,
      },
      { IRACING_REDIRECT_URIS: REDIRECT, TOKEN_ENCRYPTION_KEY: `k1:${KEY}` },
    );
    await syncCatalogAndSeasons(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('driver standings', () => {
    const { seasonId, carClassId, classes, rows } = standingsSeason;
    const STANDINGS = `query($s: Int!, $c: Int, $d: Int, $first: Int, $after: String) {
      season(id: $s) { driverStandings(carClassId: $c, division: $d, first: $first, after: $after) {
        carClassId totalCount fetchedAt lastUpdated
        edges { cursor node { position rank custId displayName division points starts wins top5 poles laps
          weeksCounted weekDropped avgFinishPosition } }
        pageInfo { hasNextPage endCursor }
        viewer { custId rank position } } } }`;
    const node = (r: Raw, position: number) => ({
      position,
      rank: r.rank,
      custId: r.cust_id,
      displayName: r.display_name,
      division: r.division,
      points: r.points,
      starts: r.starts,
      wins: r.wins,
      top5: r.top5,
      poles: r.poles,
      laps: r.laps,
      weeksCounted: r.weeks_counted,
      weekDropped: r.week_dropped,
      avgFinishPosition: r.avg_finish_position,
    });

    it('imports every class of the season as a set, and a second run changes nothing', async () => {
      const total = classes
        .map((c) => served('stats/season_driver_standings', { season_id: seasonId, car_class_id: c }))
        .reduce((n, list) => n + (Array.isArray(list) ? list.length : 0), 0);
      const first = await run(`mutation($s: [Int!]) { syncStandings(input: { seasonIds: $s }) { id } }`, {
        s: [seasonId],
      });
      expect(first.errors).toEqual([]);
      expect(first.status).toBe('SUCCEEDED');
      expect(entity(first, 'season_driver_standing')).toMatchObject({
        created: total,
        updated: 0,
        deleted: 0,
      });
      const again = await run(`mutation($s: [Int!]) { syncStandings(input: { seasonIds: $s }) { id } }`, {
        s: [seasonId],
      });
      expect(again.status).toBe('SUCCEEDED');
      expect(entity(again, 'season_driver_standing')).toMatchObject({
        created: 0,
        updated: 0,
        unchanged: total,
      });
    });

    it('serves a page per division with positions in the division, the next page by cursor', async () => {
      const counts = new Map<number, number>();
      for (const r of rows) counts.set(r.division, (counts.get(r.division) ?? 0) + 1);
      const division = [...counts].sort((a, b) => b[1] - a[1])[0][0];
      const inDivision = rows.filter((r) => r.division === division);
      expect(inDivision.length).toBeGreaterThan(6);
      const q = await h.data<Raw>(STANDINGS, { s: seasonId, c: carClassId, d: division, first: 3 });
      const page = q.season.driverStandings;
      expect(page.carClassId).toBe(carClassId);
      expect(page.totalCount).toBe(inDivision.length);
      expect(new Date(page.lastUpdated).getTime()).toBe(NOW.getTime() - (NOW.getTime() % 1000));
      expect(page.edges.map((e: Raw) => e.node)).toEqual(
        inDivision.slice(0, 3).map((r, i) => node(r, i + 1)),
      );
      expect(page.pageInfo.hasNextPage).toBe(true);
      expect(page.viewer).toBeNull();
      const next = await h.data<Raw>(STANDINGS, {
        s: seasonId,
        c: carClassId,
        d: division,
        first: 3,
        after: page.pageInfo.endCursor,
      });
      expect(next.season.driverStandings.edges.map((e: Raw) => e.node)).toEqual(
        inDivision.slice(3, 6).map((r, i) => node(r, i + 4)),
      );
      // Every division: the overall rank is the position.
      const all = await h.data<Raw>(STANDINGS, { s: seasonId, c: carClassId, first: 100 });
      expect(all.season.driverStandings.totalCount).toBe(rows.length);
      expect(all.season.driverStandings.edges.map((e: Raw) => e.node.position)).toEqual(
        all.season.driverStandings.edges.map((e: Raw) => e.node.rank),
      );
    });

    it("adds up to the season's race results (starts, wins, poles and laps of the leader)", () => {
      const leader = rows[0];
      let starts = 0;
      let wins = 0;
      let poles = 0;
      let laps = 0;
      for (const race of served('results/season_results', { season_id: seasonId, event_type: 5 })
        .results_list as Raw[]) {
        const result = served('results/get', { subsession_id: race.subsession_id });
        const main = (result.session_results as Raw[]).find((s) => s.simsession_number === 0) as Raw;
        for (const r of main.results as Raw[]) {
          const drivers = Array.isArray(r.driver_results) ? (r.driver_results as Raw[]) : [r];
          const d = drivers.find((x) => x.cust_id === leader.cust_id);
          if (!d || r.car_class_id !== carClassId) continue;
          starts++;
          if (r.finish_position_in_class === 0) wins++;
          if (r.starting_position_in_class === 0) poles++;
          laps += d.laps_complete as number;
        }
      }
      expect({ starts, wins, poles, laps }).toEqual({
        starts: leader.starts,
        wins: leader.wins,
        poles: leader.poles,
        laps: leader.laps,
      });
      expect(starts).toBeGreaterThan(0);
    });

    it('filters by club, and defaults the car class only when the season has one', async () => {
      const club = rows[0].club_id as number;
      const ofClub = rows.filter((r) => r.club_id === club);
      const q = await h.data<Raw>(
        `query($s: Int!, $c: Int, $club: Int) { season(id: $s) {
           driverStandings(carClassId: $c, clubId: $club, first: 100) { totalCount edges { node { custId position } } } } }`,
        { s: seasonId, c: carClassId, club },
      );
      expect(q.season.driverStandings.totalCount).toBe(ofClub.length);
      expect(q.season.driverStandings.edges.map((e: Raw) => e.node)).toEqual(
        ofClub.slice(0, 100).map((r, i) => ({ custId: r.cust_id, position: i + 1 })),
      );
      const implicit = await h.gql<Raw>(STANDINGS, { s: seasonId, first: 1 });
      if (classes.length === 1) expect(implicit.data?.season.driverStandings.carClassId).toBe(carClassId);
      else {
        expect(implicit.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
        expect(implicit.errors?.[0]?.message).toContain('give carClassId');
      }
    });

    it('a dry run counts without storing; a malformed answer fails its season by name and keeps what it had', async () => {
      const other = (served('series/seasons', { include_series: 'true' }) as unknown as Raw[]).find(
        (x) =>
          x.active &&
          x.season_id !== seasonId &&
          (x.car_class_ids as number[]).some(
            (c) =>
              served('stats/season_driver_standings', { season_id: x.season_id, car_class_id: c }).length > 0,
          ),
      ) as Raw;
      const runs = h.app.get(SyncRunService);
      const dry = await h.waitForRun(
        (await runs.enqueue('STANDINGS', { seasonIds: [other.season_id], dryRun: true }, SyncTrigger.CLI)).id,
      );
      expect(dry.status).toBe('SUCCEEDED');
      expect(entity(dry, 'season_driver_standing')?.created).toBeGreaterThan(0);
      const none = (await h.db.query(
        'SELECT count(*)::int AS n FROM season_driver_standing WHERE season_id = $1',
        [other.season_id],
      )) as Raw[];
      expect(none[0].n).toBe(0);

      const storedBefore = await h.db.query(
        'SELECT cust_id, points FROM season_driver_standing WHERE season_id = $1 ORDER BY cust_id',
        [seasonId],
      );
      h.replica.override('stats/season_driver_standings', (payload, params) => {
        if (!(payload instanceof ChunkedPayload) || params.get('season_id') !== String(seasonId))
          return payload;
        const broken = payload.rows.map((r, i) => (i === 1 ? { ...(r as Raw), points: 'many' } : r));
        return new ChunkedPayload(payload.header, broken, payload.options);
      });
      try {
        const partial = await h.waitForRun(
          (
            await runs.enqueue(
              'STANDINGS',
              { seasonIds: [seasonId, other.season_id], refresh: true },
              SyncTrigger.CLI,
            )
          ).id,
        );
        expect(partial.status).toBe('PARTIAL');
        expect(partial.errors).toHaveLength(1);
        expect(partial.errors[0]).toMatchObject({
          unit: `season ${seasonId} standings`,
          endpoint: 'stats/season_driver_standings',
        });
        expect(partial.errors[0].message).toContain('points');
      } finally {
        h.replica.clearOverrides();
      }
      expect(
        await h.db.query(
          'SELECT cust_id, points FROM season_driver_standing WHERE season_id = $1 ORDER BY cust_id',
          [seasonId],
        ),
      ).toEqual(storedBefore);
      const stored = (await h.db.query(
        'SELECT count(*)::int AS n FROM season_driver_standing WHERE season_id = $1',
        [other.season_id],
      )) as Raw[];
      expect(stored[0].n).toBeGreaterThan(0);
    });

    it('refuses a car class the season does not run, naming its classes', async () => {
      const r = await h.gql<Raw>(STANDINGS, { s: seasonId, c: 999_999, first: 1 });
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.message).toContain(`season ${seasonId} has no car class 999999`);
      expect(r.errors?.[0]?.message).toContain(String(carClassId));
    });

    it("names a season that is not stored, and a viewer's own row follows them whatever the page", async () => {
      const missing = await run(`mutation { syncStandings(input: { seasonIds: [999999] }) { id } }`);
      expect(missing.status).toBe('FAILED');
      expect(missing.errors[0].message).toContain('season 999999 is not stored');

      // A racer in the middle of the standings links their account.
      const racer = rows[Math.floor(rows.length / 2)];
      const { token } = await linkRacer(h, racer.cust_id as number, REDIRECT, 'look-back e2e');
      const mine = await h.data<Raw>(STANDINGS, { s: seasonId, c: carClassId, first: 1 }, token);
      expect(mine.season.driverStandings.viewer).toEqual({
        custId: racer.cust_id,
        rank: racer.rank,
        position: racer.rank,
      });
      const inDivision = rows.filter((r) => r.division === racer.division);
      const own = await h.data<Raw>(
        STANDINGS,
        { s: seasonId, c: carClassId, d: racer.division, first: 1 },
        token,
      );
      expect(own.season.driverStandings.viewer.position).toBe(
        inDivision.findIndex((r) => r.cust_id === racer.cust_id) + 1,
      );
      // The weekly run, without seasons asked: the seasons followed so far, and the active seasons of a favoured series.
      const followedBefore = (
        (await h.db.query('SELECT DISTINCT season_id FROM season_standings')) as Raw[]
      ).map((x) => x.season_id as number);
      const followedSeries = (
        (await h.db.query('SELECT series_id FROM season WHERE season_id = ANY($1::int[])', [
          followedBefore,
        ])) as Raw[]
      ).map((x) => x.series_id as number);
      const favoured = (served('series/seasons', { include_series: 'true' }) as unknown as Raw[]).find(
        (x) => x.active && !followedSeries.includes(x.series_id as number),
      ) as Raw;
      await h.data<Raw>(
        `mutation($id: Int!) { setFavourite(kind: SERIES, id: $id) { series { id } } }`,
        { id: favoured.series_id },
        token,
      );
      const weekly = await run(`mutation { syncStandings { id } }`);
      expect(weekly.status).toBe('SUCCEEDED');
      const followed = await h.db.query('SELECT DISTINCT season_id FROM season_standings ORDER BY season_id');
      const ofSeries = (await h.db.query('SELECT season_id FROM season WHERE active AND series_id = $1', [
        favoured.series_id,
      ])) as Raw[];
      expect(ofSeries.map((x) => x.season_id)).toContain(favoured.season_id);
      expect((followed as Raw[]).map((x) => x.season_id)).toEqual(
        [...followedBefore, ...ofSeries.map((x) => x.season_id as number)].sort((a, b) => a - b),
      );
      const other = rows.find((r) => r.division !== racer.division) as Raw;
      const elsewhere = await h.data<Raw>(
        STANDINGS,
        { s: seasonId, c: carClassId, d: other.division, first: 1 },
        token,
      );
      expect(elsewhere.season.driverStandings.viewer).toMatchObject({
        custId: racer.cust_id,
        position: null,
      });
    });
  });

  describe("a linked racer's history", () => {
    let custId: number;
    let token: string;
    beforeAll(async () => {
      // The account's member: races in several categories since the world's first quarter.
      const account = served('member/info', {});
      ({ custId, token } = await linkRacer(h, account.cust_id as number, REDIRECT, 'look-back history'));
      racerToken = token;
    });

    /** The category in which the racer has the most chart days. */
    const busiest = (): number => {
      const days = Object.keys(CATEGORIES).map((c) => ({
        c: Number(c),
        n: (served('member/chart_data', { cust_id: custId, category_id: c, chart_type: 1 }).data as Raw[])
          .length,
      }));
      return days.sort((a, b) => b.n - a.n)[0].c;
    };

    it('serves the iRating chart of a category, and a window of it by day', async () => {
      const category = busiest();
      const data = served('member/chart_data', { cust_id: custId, category_id: category, chart_type: 1 })
        .data as Raw[];
      expect(data.length).toBeGreaterThan(6);
      const HISTORY = `query($c: Category!, $k: RatingKind!, $from: DateTime, $to: DateTime) {
        me { ratingHistory(category: $c, kind: $k, from: $from, to: $to) { day value licenseClass safetyRating } } }`;
      const all = await h.data<Raw>(HISTORY, { c: CATEGORIES[category], k: 'IRATING' }, token);
      expect(all.me.ratingHistory).toEqual(
        data.map((p) => ({ day: p.when, value: p.value, licenseClass: null, safetyRating: null })),
      );
      const window = await h.data<Raw>(
        HISTORY,
        {
          c: CATEGORIES[category],
          k: 'IRATING',
          from: `${data[2].when}T00:00:00Z`,
          to: `${data[5].when}T23:59:59Z`,
        },
        token,
      );
      expect(window.me.ratingHistory.map((p: Raw) => p.day)).toEqual(data.slice(2, 6).map((p) => p.when));

      const licence = served('member/chart_data', { cust_id: custId, category_id: category, chart_type: 3 })
        .data as Raw[];
      const sr = await h.data<Raw>(HISTORY, { c: CATEGORIES[category], k: 'SAFETY_RATING' }, token);
      const classes = ['Rookie', 'Class D', 'Class C', 'Class B', 'Class A', 'Pro'];
      expect(sr.me.ratingHistory).toEqual(
        licence.map((p) => ({
          day: p.when,
          value: p.value,
          licenseClass: classes[Math.floor(p.value / 1000) - 1],
          safetyRating: (p.value % 1000) / 100,
        })),
      );
      const backwards = await h.gql<Raw>(
        HISTORY,
        { c: CATEGORIES[category], k: 'IRATING', from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' },
        token,
      );
      expect(backwards.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    it("serves the iRating across the season of the racer's latest race: each race day ends at that race's new iRating", async () => {
      const recent = served('stats/member_recent_races', { cust_id: custId }).races as Raw[];
      const latest = recent[0];
      const season = (served('series/seasons', { include_series: 'true' }) as unknown as Raw[]).find(
        (x) => x.season_id === latest.season_id,
      ) as Raw;
      const categoryOf = new Map(
        (served('series/get', {}) as unknown as Raw[]).map((x) => [
          x.series_id as number,
          x.category_id as number,
        ]),
      );
      const category = categoryOf.get(latest.series_id as number) as number;
      const start = Date.parse(season.start_date as string);
      const end = start + (season.max_weeks as number) * 7 * 86_400_000;
      const q = await h.data<Raw>(
        `query($c: Category!, $from: DateTime, $to: DateTime) {
           me { ratingHistory(category: $c, kind: IRATING, from: $from, to: $to) { day value } } }`,
        { c: CATEGORIES[category], from: new Date(start).toISOString(), to: new Date(end - 1).toISOString() },
        token,
      );
      const points = q.me.ratingHistory as Raw[];
      expect(points.length).toBeGreaterThan(0);
      for (const p of points) {
        expect(Date.parse(`${p.day}T00:00:00Z`)).toBeGreaterThanOrEqual(start - 86_400_000);
        expect(Date.parse(`${p.day}T00:00:00Z`)).toBeLessThan(end);
      }
      // The racer's recent races in the category within the season: a day's value is its last race's new iRating.
      const byDay = new Map<string, Raw>();
      for (const r of [...recent].reverse()) {
        const at = Date.parse(r.session_start_time as string);
        if (categoryOf.get(r.series_id as number) === category && at >= start && at < end)
          byDay.set((r.session_start_time as string).slice(0, 10), r);
      }
      expect(byDay.size).toBeGreaterThan(0);
      for (const [day, race] of byDay)
        expect(points.find((p) => p.day === day)?.value).toBe(race.newi_rating);
    });

    it("lists the racer's stored races as me.recentRaces, newest first", async () => {
      const recent = served('stats/member_recent_races', { cust_id: custId }).races as Raw[];
      const ids = recent.slice(0, 2).map((r) => r.subsession_id as number);
      for (const id of ids) {
        const q = await h.data<Raw>(
          `mutation($id: Int!) { syncSubsession(subsessionId: $id) { id } }`,
          { id },
          ADMIN_KEY,
        );
        expect((await h.waitForRun(q.syncSubsession.id as number)).status).toBe('SUCCEEDED');
      }
      const mine = await h.data<Raw>(`{ me { recentRaces(first: 5) { edges { node { id } } } } }`, {}, token);
      expect(mine.me.recentRaces.edges.map((e: Raw) => e.node.id)).toEqual(ids);
      const tooMany = await h.gql<Raw>(
        `{ me { recentRaces(first: 51) { edges { node { id } } } } }`,
        {},
        token,
      );
      expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('serves the career totals per category and the yearly ones', async () => {
      const career = served('stats/member_career', { cust_id: custId }).stats as Raw[];
      const yearly = served('stats/member_yearly', { cust_id: custId }).stats as Raw[];
      const q = await h.data<Raw>(
        `query($y: Int) { me { careerStats { categoryId category starts wins top5 poles laps avgIncidents }
           yearlyStats(year: $y) { year categoryId starts wins } } }`,
        { y: yearly[0].year },
        token,
      );
      expect(q.me.careerStats).toEqual(
        [...career]
          .sort((a, b) => a.category_id - b.category_id)
          .map((s) => ({
            categoryId: s.category_id,
            category: CATEGORIES[s.category_id],
            starts: s.starts,
            wins: s.wins,
            top5: s.top5,
            poles: s.poles,
            laps: s.laps,
            avgIncidents: s.avg_incidents,
          })),
      );
      expect(q.me.yearlyStats).toEqual(
        yearly
          .filter((s) => s.year === yearly[0].year)
          .sort((a, b) => a.category_id - b.category_id)
          .map((s) => ({ year: s.year, categoryId: s.category_id, starts: s.starts, wins: s.wins })),
      );
    });

    it('a second member sync, with no new race since, asks nothing of the history', async () => {
      const charts = () => h.replica.stats.dataRequests['member/chart_data'] ?? 0;
      const before = charts();
      expect(before).toBeGreaterThan(0);
      const q = await h.data<Raw>(`mutation { syncMyAccount { id } }`, {}, token);
      const r = await h.waitForRun(q.syncMyAccount.id as number, 60_000);
      expect(r.status).toBe('SUCCEEDED');
      expect(charts()).toBe(before);
      expect(entity(r, 'member_rating_point')).toBeUndefined();
      const stored = (await h.db.query(
        'SELECT count(*)::int AS n FROM member_rating_point WHERE cust_id = $1',
        [custId],
      )) as Raw[];
      expect(stored[0].n).toBeGreaterThan(0);
    });
  });

  describe('world records', () => {
    /** A car and layout of a current season's week with at least 20 records. */
    const pair = (() => {
      const cars = new Map<number, number[]>();
      for (const c of served('carclass/get', {}) as unknown as Raw[])
        cars.set(
          c.car_class_id,
          (c.cars_in_class as Raw[]).map((x) => x.car_id as number),
        );
      for (const season of served('series/seasons', { include_series: 'true' }) as unknown as Raw[])
        for (const week of season.schedules as Raw[])
          for (const classId of season.car_class_ids as number[])
            for (const carId of cars.get(classId) ?? []) {
              const rows = served('stats/world_records', { car_id: carId, track_id: week.track.track_id });
              if (
                Array.isArray(rows) &&
                rows.filter((r) => r.qualify_lap_time !== null).length >= 5 &&
                rows.length >= 20
              )
                return { carId, trackId: week.track.track_id as number, rows };
            }
      throw new Error('the synthetic world (seed 11) has no car and layout with world records');
    })();
    const RECORDS = `query($t: Int!, $c: Int!, $k: LapKind, $n: Int) { layout(id: $t) {
      worldRecords(carId: $c, kind: $k, first: $n) { carId trackId kind drivers totalCount seasonYear seasonQuarter
        entries { position custId displayName lapTime date seasonYear seasonQuarter } } } }`;
    const SYNC = `mutation($c: Int!, $t: Int!, $r: Boolean) { syncWorldRecords(carId: $c, trackId: $t, refresh: $r) { id } }`;
    const fastest = (kind: 'race' | 'qualify', n: number) =>
      pair.rows
        .filter((r) => r[`${kind}_lap_time`] !== null)
        .sort((a, b) => a[`${kind}_lap_time`] - b[`${kind}_lap_time`] || a.cust_id - b.cust_id)
        .slice(0, n);

    it('is null until imported, then serves the fastest laps of each kind in seconds', async () => {
      const before = await h.data<Raw>(RECORDS, { t: pair.trackId, c: pair.carId });
      expect(before.layout.worldRecords).toBeNull();
      const r = await run(SYNC, { c: pair.carId, t: pair.trackId });
      expect(r.status).toBe('SUCCEEDED');
      expect(entity(r, 'world_record')).toMatchObject({ created: pair.rows.length });

      const q = await h.data<Raw>(RECORDS, { t: pair.trackId, c: pair.carId, n: 5 });
      const wr = q.layout.worldRecords;
      expect(wr).toMatchObject({
        carId: pair.carId,
        trackId: pair.trackId,
        kind: 'RACE',
        drivers: pair.rows.length,
      });
      expect(wr.totalCount).toBe(pair.rows.filter((x) => x.race_lap_time !== null).length);
      expect(wr.entries).toEqual(
        fastest('race', 5).map((x, i) => ({
          position: i + 1,
          custId: x.cust_id,
          displayName: x.display_name,
          lapTime: x.race_lap_time / 10_000,
          date: x.race_date,
          seasonYear: x.season_year,
          seasonQuarter: x.season_quarter,
        })),
      );
      const qual = await h.data<Raw>(RECORDS, { t: pair.trackId, c: pair.carId, k: 'QUALIFY', n: 3 });
      expect(qual.layout.worldRecords.entries.map((e: Raw) => [e.custId, e.lapTime])).toEqual(
        fastest('qualify', 3).map((x) => [x.cust_id, x.qualify_lap_time / 10_000]),
      );
    });

    it('is kept for the season quarter: asked again, nothing is fetched unless refresh', async () => {
      const asked = () => h.replica.stats.dataRequests['stats/world_records'] ?? 0;
      const before = asked();
      const kept = await run(SYNC, { c: pair.carId, t: pair.trackId });
      expect(kept.status).toBe('SUCCEEDED');
      expect(asked()).toBe(before);
      expect(entity(kept, 'world_record')).toMatchObject({ created: 0, unchanged: pair.rows.length });
      const refreshed = await run(SYNC, { c: pair.carId, t: pair.trackId, r: true });
      expect(refreshed.status).toBe('SUCCEEDED');
      expect(asked()).toBe(before + 1);
      expect(entity(refreshed, 'world_record')).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    });

    it('a linked racer may ask for them, not refresh them; a car or layout not stored is named', async () => {
      const listed = pair.rows.length; // the pair is stored: a racer's request queues a run that fetches nothing
      const byRacer = await h.data<Raw>(SYNC, { c: pair.carId, t: pair.trackId }, racerToken);
      const r = await h.waitForRun(byRacer.syncWorldRecords.id as number);
      expect(r.status).toBe('SUCCEEDED');
      expect(entity(r, 'world_record')).toMatchObject({ created: 0, unchanged: listed });
      const refresh = await h.gql<Raw>(SYNC, { c: pair.carId, t: pair.trackId, r: true }, racerToken);
      expect(refresh.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const anonymous = await h.gql<Raw>(SYNC, { c: pair.carId, t: pair.trackId });
      expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      const unknownCar = await h.gql<Raw>(SYNC, { c: 999_999, t: pair.trackId }, racerToken);
      expect(unknownCar.errors?.[0]).toMatchObject({
        message: 'car 999999 is not stored',
        extensions: { code: 'BAD_USER_INPUT', argument: 'carId' },
      });
      const unknownLayout = await h.gql<Raw>(SYNC, { c: pair.carId, t: 999_999 }, ADMIN_KEY);
      expect(unknownLayout.errors?.[0]?.message).toBe('track 999999 is not stored');
      // From the command line (no such check before queueing), the run fails naming it.
      const cli = await h.waitForRun(
        (
          await h.app
            .get(SyncRunService)
            .enqueue('WORLD_RECORDS', { carId: 999_999, trackId: pair.trackId }, SyncTrigger.CLI)
        ).id,
      );
      expect(cli.status).toBe('FAILED');
      expect(cli.errors[0].message).toContain('car 999999 is not stored');
    });
  });

  it("erases the racer's own history when they unlink, and says how much", async () => {
    const custId = (await h.data<Raw>('{ me { custId } }', {}, racerToken)).me.custId as number;
    const count = async () =>
      (
        (await h.db.query(
          `SELECT (SELECT count(*) FROM member_rating_point WHERE cust_id = $1)
                + (SELECT count(*) FROM member_career_stat WHERE cust_id = $1)
                + (SELECT count(*) FROM member_yearly_stat WHERE cust_id = $1) AS n`,
          [custId],
        )) as Raw[]
      )[0].n;
    const held = Number(await count());
    expect(held).toBeGreaterThan(0);
    const r = await h.data<Raw>(
      `mutation { unlinkIracingAccount { custId historyRowsDeleted } }`,
      {},
      racerToken,
    );
    expect(r.unlinkIracingAccount).toEqual({ custId, historyRowsDeleted: held });
    expect(Number(await count())).toBe(0);
  });
});
