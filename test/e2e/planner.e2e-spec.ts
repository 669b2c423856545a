// The planner end to end (docs/architecture.md §6.9): a racer links their account, then their owned content and
// licences are set to known values in PostgreSQL, and `me.raceWeeks`, `me.raceableSessions`, `me.seasons`,
// `me.purchaseGuide` and the plan answer exactly what that content allows: every reason a week is blocked, the
// licence rule per category, rotating-car weeks, free content, a purchase that makes a season's participation credit
// reachable, the basket under a discount tier, overlapping plans, a plan changed by a later sync, favourites as a
// filter, and local times in a zone whose daylight saving changes inside the week.
import { randomBytes } from 'node:crypto';
import { syntheticMembers } from '../../offline/replica.js';
import type { MemberRef } from '../../offline/replica.js';
import { PlannerService } from '../../src/planner/planner.service.js';
import { discountPct } from '../../src/planner/purchase-basket.js';
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { ADMIN_KEY, registerLogSecret, startHarness } from '../support/harness.js';
import { linkRacer, syncCatalogAndSeasons } from '../support/linked.js';
import { countStatements, idle } from '../support/statements.js';
import type { GqlResult, Harness } from '../support/harness.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const REDIRECT = 'http://127.0.0.1:5173/auth/iracing/callback';
const KEY = randomBytes(32).toString('base64');
registerLogSecret('TOKEN_ENCRYPTION_KEY (planner e2e)', KEY);
const DAY = 86_400_000;

/**
 * A harness with the linking settings, a synced catalog and seasons, and one linked racer; `other` is a second
 * member of the replica, not linked.
 */
async function plannerHarness(
  now: Date,
  seed: number,
): Promise<{ h: Harness; custId: number; token: string; other: MemberRef }> {
  const world = { seed, scale: 0.05, now };
  const members = syntheticMembers(world);
  const h = await startHarness(
    { dataset: syntheticDataset(world), members, redirectUris: [REDIRECT], now: () => now },
    { IRACING_REDIRECT_URIS: REDIRECT, TOKEN_ENCRYPTION_KEY: `k1:${KEY}` },
  );
  await syncCatalogAndSeasons(h);
  const [other, racer] = members.sample(2, { baseUrl: h.replica.url, now }) as MemberRef[];
  // The first sync writes the racer's real content: it is over before the tests set their own.
  const { custId, token } = await linkRacer(h, racer.custId, REDIRECT, 'planner e2e');
  return { h, custId, token, other };
}

describe('the planner (end to end)', () => {
  const NOW = new Date();
  let h: Harness;
  let custId: number;
  let token: string;
  let other: MemberRef;

  beforeAll(async () => {
    ({ h, custId, token, other } = await plannerHarness(NOW, 47));
  }, 240_000);
  afterAll(async () => {
    await h?.close();
  });

  const q = async (query: string, variables: Raw = {}) => h.data<Raw>(query, variables, token);
  const gql = (query: string, variables: Raw = {}): Promise<GqlResult<Raw>> =>
    h.gql<Raw>(query, variables, token);
  const rows = async (sql: string, params: unknown[] = []) => (await h.db.query(sql, params)) as Raw[];

  /** The racer owns exactly these cars and track packages, and holds these licence levels by category_id. */
  async function content(cars: number[], tracks: number[], levels: Record<number, number>): Promise<void> {
    await rows(`DELETE FROM sim_profile_car_ownership WHERE cust_id = $1`, [custId]);
    await rows(`DELETE FROM sim_profile_track_ownership WHERE cust_id = $1`, [custId]);
    await rows(`INSERT INTO sim_profile_car_ownership (cust_id, car_id) SELECT $1, unnest($2::int[])`, [
      custId,
      cars,
    ]);
    await rows(`INSERT INTO sim_profile_track_ownership (cust_id, package_id) SELECT $1, unnest($2::int[])`, [
      custId,
      tracks,
    ]);
    const licences = Object.entries(levels).map(([category, level]) => ({
      category_id: Number(category),
      license_level: level,
    }));
    await rows(`UPDATE sim_profile SET licenses = $2::jsonb WHERE cust_id = $1`, [
      custId,
      JSON.stringify(licences),
    ]);
  }

  /** A future week of a series that asks more than Rookie, at a paid track, allowing only paid cars. */
  async function paidWeek(offset = 0): Promise<Raw> {
    const [w] = await rows(
      `SELECT rw.id, rw.series_id, rw.season_id, l.package_id, s.category_id, rw.start_time, rw.end_time,
              ARRAY(SELECT DISTINCT m.car_id FROM car_class_car m WHERE m.car_class_id = ANY(rw.car_class_ids)
                    ORDER BY 1) AS cars,
              (SELECT min((x->>'min_license_level')::int) FROM jsonb_array_elements(s.allowed_licenses) x) AS level
       FROM race_week rw JOIN series s ON s.series_id = rw.series_id JOIN sim_layout l ON l.track_id = rw.track_id
       JOIN sim_track t ON t.package_id = l.package_id
       WHERE rw.start_time > $1 AND NOT t.free_with_subscription AND cardinality(rw.car_ids) = 0
         AND (SELECT min((x->>'min_license_level')::int) FROM jsonb_array_elements(s.allowed_licenses) x) > 4
         AND s.category_id IN (1, 5, 6)
         AND NOT EXISTS (SELECT 1 FROM car_class_car m JOIN sim_car c ON c.car_id = m.car_id
                         WHERE m.car_class_id = ANY(rw.car_class_ids) AND c.free_with_subscription)
         AND EXISTS (SELECT 1 FROM event e JOIN event_instance i ON i.event_id = e.id WHERE e.race_week_id = rw.id)
       ORDER BY rw.start_time, rw.id OFFSET $2 LIMIT 1`,
      [NOW, offset],
    );
    expect(w).toBeDefined();
    return w;
  }

  const WEEKS = `query($f: PlannerWeekFilter) { me { raceWeeks(filter: $f, first: 100) { totalCount edges { node {
    raceable pattern raceWeek { id } myCars { id }
    blockedBy { reason message track { id } cars { id } requiredLicenceLevel myLicenceLevel } } } } } }`;
  const weekOf = async (w: Raw, includeBlocked = true) => {
    const r = await q(WEEKS, {
      f: { seriesIds: [w.series_id], from: w.start_time, to: w.end_time, includeBlocked },
    });
    return (r.me.raceWeeks.edges as Raw[]).map((e) => e.node).find((n) => n.raceWeek.id === w.id);
  };

  it('names every reason a week is blocked, and each lifts with what it names', async () => {
    const w = await paidWeek();
    await content([], [], {});
    const blocked = await weekOf(w);
    expect(blocked.raceable).toBe(false);
    expect(blocked.blockedBy.map((b: Raw) => b.reason)).toEqual([
      'TRACK_NOT_OWNED',
      'NO_CAR_OWNED',
      'LICENCE_TOO_LOW',
    ]);
    expect(blocked.blockedBy[0].track).toEqual({ id: w.package_id });
    expect(blocked.blockedBy[1].cars.map((c: Raw) => c.id)).toEqual(w.cars);
    expect(blocked.blockedBy[2]).toMatchObject({ requiredLicenceLevel: w.level, myLicenceLevel: 1 });
    expect(await weekOf(w, false)).toBeUndefined();

    await content([], [w.package_id], {});
    expect((await weekOf(w)).blockedBy.map((b: Raw) => b.reason)).toEqual([
      'NO_CAR_OWNED',
      'LICENCE_TOO_LOW',
    ]);
    await content([w.cars[0]], [w.package_id], {});
    expect((await weekOf(w)).blockedBy.map((b: Raw) => b.reason)).toEqual(['LICENCE_TOO_LOW']);
    await content([w.cars[0]], [w.package_id], { [w.category_id]: w.level });
    const open = await weekOf(w, false);
    expect(open).toMatchObject({ raceable: true, blockedBy: [], myCars: [{ id: w.cars[0] }] });
    expect(open.pattern).toEqual(expect.any(String));
  });

  it("applies the licence of the series' own category only", async () => {
    const w = await paidWeek();
    const other = w.category_id === 1 ? 5 : 1;
    await content([w.cars[0]], [w.package_id], { [other]: 20, [w.category_id]: w.level - 1 });
    expect((await weekOf(w)).blockedBy.map((b: Raw) => b.reason)).toEqual(['LICENCE_TOO_LOW']);
    await content([w.cars[0]], [w.package_id], { [other]: 1, [w.category_id]: w.level });
    expect((await weekOf(w)).raceable).toBe(true);
  });

  /**
   * Runs `body` with the series' category and allowed licences, and its season's licence group, set behind the app
   * as given; puts them back whatever happened.
   */
  async function withRule(
    w: Raw,
    rule: { categoryId?: number; allowedLicenses?: Raw[]; licenseGroup?: number },
    body: () => Promise<void>,
  ): Promise<void> {
    const [series] = await rows(`SELECT category_id, allowed_licenses FROM series WHERE series_id = $1`, [
      w.series_id,
    ]);
    const [season] = await rows(`SELECT license_group FROM season WHERE season_id = $1`, [w.season_id]);
    const set = async (categoryId: number, allowed: unknown, group: number | null) => {
      await rows(`UPDATE series SET category_id = $2, allowed_licenses = $3::jsonb WHERE series_id = $1`, [
        w.series_id,
        categoryId,
        JSON.stringify(allowed),
      ]);
      await rows(`UPDATE season SET license_group = $2 WHERE season_id = $1`, [w.season_id, group]);
    };
    try {
      await set(
        rule.categoryId ?? series.category_id,
        rule.allowedLicenses ?? series.allowed_licenses,
        rule.licenseGroup ?? season.license_group,
      );
      await body();
    } finally {
      await set(series.category_id, series.allowed_licenses, season.license_group);
    }
  }

  /** Whether the week is raceable with the licences given (and its car and track), and its licence block if any. */
  async function withLicences(w: Raw, levels: Record<number, number>): Promise<Raw> {
    await content([w.cars[0]], [w.package_id], levels);
    const week = await weekOf(w);
    return {
      raceable: week.raceable,
      block: (week.blockedBy as Raw[]).find((b) => b.reason === 'LICENCE_TOO_LOW') ?? null,
    };
  }

  it('takes the better of sports car and formula car licences for a legacy road series', async () => {
    const w = await paidWeek();
    const level = w.level as number;
    await withRule(w, { categoryId: 2 }, async () => {
      expect(await withLicences(w, { 5: level })).toEqual({ raceable: true, block: null });
      expect(await withLicences(w, { 6: level })).toEqual({ raceable: true, block: null });
      expect(await withLicences(w, { 5: level - 1, 6: 1 })).toMatchObject({ raceable: false });
      expect(await withLicences(w, { 2: level })).toEqual({ raceable: true, block: null });
      // Oval and dirt licences are of other categories; the best of road, sports car and formula car is named.
      expect(await withLicences(w, { 1: 20, 3: 20, 4: 20, 5: level - 1, 6: level - 2 })).toMatchObject({
        raceable: false,
        block: { requiredLicenceLevel: level, myLicenceLevel: level - 1 },
      });
    });
  });

  it("takes a dirt series' own dirt licence only", async () => {
    const w = await paidWeek();
    const level = w.level as number;
    for (const [dirt, other] of [
      [3, 4],
      [4, 3],
    ])
      await withRule(w, { categoryId: dirt }, async () => {
        expect(await withLicences(w, { [dirt]: level })).toEqual({ raceable: true, block: null });
        expect(
          await withLicences(w, { [dirt]: level - 1, [other]: 20, 1: 20, 2: 20, 5: 20, 6: 20 }),
        ).toMatchObject({
          raceable: false,
          block: { requiredLicenceLevel: level, myLicenceLevel: level - 1 },
        });
        // No licence stored in the category: Rookie (level 1).
        expect(await withLicences(w, { [other]: 20 })).toMatchObject({ block: { myLicenceLevel: 1 } });
      });
  });

  it("falls back to the season's licence group when the series names no allowed licences", async () => {
    const w = await paidWeek();
    const level = w.level as number;
    // A group other than the series' own lowest licence: B (levels 13-16), or C (9-12) when that is B already.
    const group = level === 13 ? 3 : 4;
    const required = (group - 1) * 4 + 1;
    const cat = w.category_id as number;
    // With allowed licences named, the season's group is not read.
    await withRule(w, { licenseGroup: group }, async () => {
      expect(await withLicences(w, { [cat]: level - 1 })).toMatchObject({
        block: { requiredLicenceLevel: level },
      });
    });
    await withRule(w, { allowedLicenses: [], licenseGroup: group }, async () => {
      expect(await withLicences(w, { [cat]: required - 1 })).toMatchObject({
        raceable: false,
        block: { requiredLicenceLevel: required, myLicenceLevel: required - 1 },
      });
      expect(await withLicences(w, { [cat]: required })).toEqual({ raceable: true, block: null });
    });
  });

  it("takes a rotating-car week's own car list, not its classes'", async () => {
    const w = await paidWeek(1);
    const [other] = await rows(
      `SELECT car_id FROM sim_car WHERE car_id <> ALL($1::int[]) AND NOT free_with_subscription ORDER BY car_id LIMIT 1`,
      [w.cars],
    );
    await rows(`UPDATE race_week SET car_ids = $2 WHERE id = $1`, [w.id, [other.car_id]]);
    try {
      await content([w.cars[0]], [w.package_id], { [w.category_id]: 20 });
      const week = await weekOf(w);
      expect(week.blockedBy.map((b: Raw) => b.reason)).toEqual(['NO_CAR_OWNED']);
      expect(week.blockedBy[0].cars).toEqual([{ id: other.car_id }]);
      await content([other.car_id], [w.package_id], { [w.category_id]: 20 });
      expect((await weekOf(w)).myCars).toEqual([{ id: other.car_id }]);
    } finally {
      await rows(`UPDATE race_week SET car_ids = '{}' WHERE id = $1`, [w.id]);
    }
  });

  it('counts free content as owned, and lists the sessions the racer can enter with their cars', async () => {
    const w = await paidWeek();
    await content([], [], { [w.category_id]: 20 });
    await rows(`UPDATE sim_track SET free_with_subscription = true WHERE package_id = $1`, [w.package_id]);
    await rows(`UPDATE sim_car SET free_with_subscription = true WHERE car_id = $1`, [
      w.cars[1] ?? w.cars[0],
    ]);
    try {
      expect((await weekOf(w)).raceable).toBe(true);
      const r = await q(
        `query($f: RaceableSessionFilter) { me { raceableSessions(filter: $f, first: 100) { totalCount
           edges { node { localStartTime session { id startTime raceWeek { id } } myCars { id } } } } } }`,
        { f: { seriesIds: [w.series_id], from: w.start_time, to: w.end_time } },
      );
      const nodes = (r.me.raceableSessions.edges as Raw[]).map((e) => e.node);
      const [{ n }] = await rows(
        `SELECT count(*)::int AS n FROM event_instance i JOIN event e ON e.id = i.event_id
         WHERE e.race_week_id = $1 AND i.start_time >= $2 AND i.start_time < $3`,
        [w.id, w.start_time, w.end_time],
      );
      expect(r.me.raceableSessions.totalCount).toBe(n);
      expect(nodes.length).toBe(Math.min(n, 100));
      for (const s of nodes) {
        expect(s.session.raceWeek.id).toBe(w.id);
        expect(s.myCars).toEqual([{ id: w.cars[1] ?? w.cars[0] }]);
        expect(s.localStartTime).toBe(
          s.session.startTime.replace(/\.\d{3}Z$/, '+00:00').replace(/Z$/, '+00:00'),
        );
      }
    } finally {
      await rows(`UPDATE sim_track SET free_with_subscription = false WHERE package_id = $1`, [w.package_id]);
      await rows(`UPDATE sim_car SET free_with_subscription = false WHERE car_id = $1`, [
        w.cars[1] ?? w.cars[0],
      ]);
    }
  });

  it('keeps favourites, and filters by them', async () => {
    const w = await paidWeek();
    await content([w.cars[0]], [w.package_id], { [w.category_id]: 20 });
    const set = await q(
      `mutation($id: Int!) { setFavourite(kind: SERIES, id: $id) { series { id } cars { id } tracks { id } } }`,
      { id: w.series_id },
    );
    expect(set.setFavourite).toEqual({ series: [{ id: w.series_id }], cars: [], tracks: [] });
    const favs = await q(WEEKS, { f: { favouritesOnly: true, from: w.start_time, to: w.end_time } });
    const seriesOf = async (ids: number[]) =>
      (await rows(`SELECT DISTINCT series_id FROM race_week WHERE id = ANY($1::int[])`, [ids])).map(
        (r) => r.series_id,
      );
    const ids = (favs.me.raceWeeks.edges as Raw[]).map((e) => e.node.raceWeek.id as number);
    expect(ids).toContain(w.id);
    expect(await seriesOf(ids)).toEqual([w.series_id]);
    const unknown = await gql(`mutation { setFavourite(kind: CAR, id: 987654321) { cars { id } } }`);
    expect(unknown.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    await q(
      `mutation($id: Int!) { setFavourite(kind: SERIES, id: $id, favourite: false) { series { id } } }`,
      {
        id: w.series_id,
      },
    );
  });

  /** The first season (after `offset` others) of 12 weeks all in the future. */
  async function futureSeason(offset = 0): Promise<number> {
    const [season] = await rows(
      `SELECT se.season_id FROM season se
       WHERE (SELECT min(start_time) FROM race_week rw WHERE rw.season_id = se.season_id) > $1
         AND (SELECT count(*) FROM race_week rw WHERE rw.season_id = se.season_id) = 12
       ORDER BY se.season_id OFFSET $2 LIMIT 1`,
      [NOW, offset],
    );
    expect(season).toBeDefined();
    return season.season_id as number;
  }

  /**
   * Paid track packages (one layout of each), `lone` first: those no week still to come of another season is raced
   * at (what the season's weeks are moved onto is then all a purchase of them could open), then any others.
   */
  async function paidTracks(
    seasonId: number,
    lone: number,
    others: number,
  ): Promise<{ track_id: number; package_id: number }[]> {
    const tracks = await rows(
      `SELECT DISTINCT ON (l.package_id) l.track_id, l.package_id,
              NOT EXISTS (SELECT 1 FROM race_week rw JOIN sim_layout o ON o.track_id = rw.track_id
                          WHERE o.package_id = l.package_id AND rw.season_id <> $1 AND rw.end_time > $2) AS lone
       FROM sim_layout l JOIN sim_track t ON t.package_id = l.package_id
       WHERE NOT t.free_with_subscription AND t.price > 0
       ORDER BY l.package_id, l.track_id`,
      [seasonId, NOW],
    );
    const picked = [
      ...tracks.filter((t) => t.lone).slice(0, lone),
      ...tracks.filter((t) => !t.lone).slice(0, others),
    ];
    expect(picked).toHaveLength(lone + others);
    return picked.map((t) => ({ track_id: t.track_id as number, package_id: t.package_id as number }));
  }

  /**
   * Moves the season's weeks, in week order, onto these layouts (one per week), runs `body`, and puts every week
   * back at its own track whatever happened.
   */
  async function withWeeksAt(seasonId: number, trackIds: number[], body: () => Promise<void>): Promise<void> {
    const weeks = await rows(
      `SELECT id, track_id FROM race_week WHERE season_id = $1 ORDER BY race_week_num`,
      [seasonId],
    );
    expect(weeks).toHaveLength(trackIds.length);
    try {
      for (const [i, wk] of weeks.entries())
        await rows(`UPDATE race_week SET track_id = $2 WHERE id = $1`, [wk.id, trackIds[i]]);
      await body();
    } finally {
      for (const wk of weeks)
        await rows(`UPDATE race_week SET track_id = $2 WHERE id = $1`, [wk.id, wk.track_id]);
    }
  }

  /** Every car, the track packages given, and an A licence (level 20) in every category. */
  async function allCarsAnd(tracks: number[]): Promise<void> {
    const cars = await rows(`SELECT car_id FROM sim_car`);
    await content(
      cars.map((c) => c.car_id as number),
      tracks,
      { 1: 20, 2: 20, 3: 20, 4: 20, 5: 20, 6: 20 },
    );
  }

  const SEASONS = `query($y: Int!, $q: Int!) { me { seasons(year: $y, quarter: $q) { season { id }
    weeks raceableWeeks racedWeeks weeksNeeded raceableWeeksLeft creditReachable creditEarned } } }`;
  const seasonPlan = async (seasonId: number) =>
    ((await q(SEASONS, await quarterOf(seasonId))).me.seasons as Raw[]).find((s) => s.season.id === seasonId);

  it('ranks a track that makes a season reach participation credit, and fills a basket at a discount tier', async () => {
    // A season all in the future, its weeks moved onto two paid track packages: weeks 1-7 at one the racer owns,
    // weeks 8-12 at one they do not. With every car and licence, 7 of 12 weeks are raceable: 8 are needed.
    const seasonId = await futureSeason();
    const [mine, missing] = await rows(
      `SELECT DISTINCT ON (l.package_id) l.track_id, l.package_id FROM sim_layout l
       JOIN sim_track t ON t.package_id = l.package_id WHERE NOT t.free_with_subscription AND t.price > 0
       ORDER BY l.package_id, l.track_id LIMIT 2`,
    );
    expect(missing).toBeDefined();
    const layouts = Array.from({ length: 12 }, (_, i) => (i < 7 ? mine.track_id : missing.track_id));
    await withWeeksAt(seasonId, layouts, async () => {
      await allCarsAnd([mine.package_id]);
      expect(await seasonPlan(seasonId)).toEqual({
        season: { id: seasonId },
        weeks: 12,
        raceableWeeks: 7,
        racedWeeks: 0,
        weeksNeeded: 8,
        raceableWeeksLeft: 7,
        creditReachable: false,
        creditEarned: false,
      });
      const guide = await q(
        `query { me { purchaseGuide(budget: 1000, first: 50) {
          suggestions { packageKind track { id } price raceableWeeksAdded seasonsReachingCredit }
          basket { items { track { id } car { id } price } listPrice discountPct total raceableWeeksAdded } } } }`,
      );
      const { suggestions, basket } = guide.me.purchaseGuide;
      const top = (suggestions as Raw[]).find((x) => x.track?.id === missing.package_id) as Raw;
      expect(top).toMatchObject({ packageKind: 'TRACK', seasonsReachingCredit: 1 });
      expect(top.raceableWeeksAdded).toBeGreaterThanOrEqual(5);
      // Ranked: nothing adds more weeks before it.
      for (const x of suggestions as Raw[]) {
        if (x === top) break;
        expect(x.raceableWeeksAdded).toBeGreaterThanOrEqual(top.raceableWeeksAdded);
      }
      // The cart: the volume discount of its size on its list price, within the budget, with that track in it.
      expect(basket.items.map((x: Raw) => x.track?.id)).toContain(missing.package_id);
      expect(basket.discountPct).toBe(discountPct(basket.items.length));
      const list = (basket.items as Raw[]).reduce((sum, x) => sum + (x.price as number), 0);
      expect(basket.listPrice).toBeCloseTo(list, 2);
      expect(basket.total).toBeCloseTo(list * (1 - basket.discountPct / 100), 2);
      expect(basket.total).toBeLessThanOrEqual(1000);
      expect(basket.raceableWeeksAdded).toBeGreaterThanOrEqual(top.raceableWeeksAdded);
      const tight = await q(
        `query($b: Float!) { me { purchaseGuide(budget: $b) { basket { items { price } total } } } }`,
        {
          b: top.price - 0.01,
        },
      );
      expect(tight.me.purchaseGuide.basket.total).toBeLessThanOrEqual(top.price - 0.01);
    });
  });

  it("counts a season's participation on all its weeks when the guide is limited to the favourites", async () => {
    // Weeks 1-6 at a track the racer owns, week 7 at a missing track they mark as a favourite, weeks 8-12 at another
    // missing track. The favourite track opens one week: 6 + 1 = 7 of the 8 a 12-week season needs, so it makes no
    // season reach credit. Counting the season on its favourite weeks alone (1 week, 1 needed) would say it does.
    // No other season has a week to come at the favourite track: it opens that one week and nothing else.
    const seasonId = await futureSeason();
    const [favourite, mine, other] = await paidTracks(seasonId, 1, 2);
    const layouts = Array.from({ length: 12 }, (_, i) =>
      i < 6 ? mine.track_id : i === 6 ? favourite.track_id : other.track_id,
    );
    const GUIDE = `query($f: PurchaseGuideFilter) { me { purchaseGuide(filter: $f, first: 100) {
      suggestions { track { id } raceableWeeksAdded seasonsReachingCredit } } } }`;
    const suggested = async (f: Raw, packageId: number) =>
      ((await q(GUIDE, { f })).me.purchaseGuide.suggestions as Raw[]).find((x) => x.track?.id === packageId);
    await q(`mutation($id: Int!) { setFavourite(kind: TRACK, id: $id) { tracks { id } } }`, {
      id: favourite.package_id,
    });
    try {
      await withWeeksAt(seasonId, layouts, async () => {
        await allCarsAnd([mine.package_id]);
        expect(await seasonPlan(seasonId)).toMatchObject({ weeks: 12, raceableWeeksLeft: 6, weeksNeeded: 8 });
        expect(await suggested({ favouritesOnly: true }, favourite.package_id)).toEqual({
          track: { id: favourite.package_id },
          raceableWeeksAdded: 1,
          seasonsReachingCredit: 0,
        });
        // Not one of the favourites' weeks: left out of the favourites' guide.
        expect(await suggested({ favouritesOnly: true }, other.package_id)).toBeUndefined();
        // The whole guide says the same of the favourite; the other track makes it 6 + 5 = 11 of 8.
        expect(await suggested({}, favourite.package_id)).toEqual({
          track: { id: favourite.package_id },
          raceableWeeksAdded: 1,
          seasonsReachingCredit: 0,
        });
        const whole = await suggested({}, other.package_id);
        expect(whole?.raceableWeeksAdded).toBeGreaterThanOrEqual(5);
        expect(whole?.seasonsReachingCredit).toBeGreaterThanOrEqual(1);
      });
    } finally {
      await q(
        `mutation($id: Int!) { setFavourite(kind: TRACK, id: $id, favourite: false) { tracks { id } } }`,
        {
          id: favourite.package_id,
        },
      );
    }
  });

  async function quarterOf(seasonId: number): Promise<{ y: number; q: number }> {
    const [s] = await rows(`SELECT year, quarter FROM season WHERE season_id = $1`, [seasonId]);
    return { y: s.year, q: s.quarter };
  }

  /**
   * Official results of these weeks of a season (race_week_num), one subsession each, with `racer` in it: rows as the
   * results import stores them, written behind the app. Returns the subsession ids, to delete them afterwards.
   */
  async function officialResults(seasonId: number, weekNums: number[], racer = custId): Promise<number[]> {
    const [{ next }] = await rows(`SELECT COALESCE(max(subsession_id), 0) + 1 AS next FROM event_result`);
    const ids: number[] = [];
    for (const [i, num] of weekNums.entries()) {
      const [er] = await rows(
        `INSERT INTO event_result (subsession_id, kind, season_id, series_id, race_week_num, start_time, track_id)
         SELECT $2, 'OFFICIAL', rw.season_id, rw.series_id, rw.race_week_num, rw.start_time + interval '1 hour',
                rw.track_id
         FROM race_week rw WHERE rw.season_id = $1 AND rw.race_week_num = $3 RETURNING id`,
        [seasonId, next + i, num],
      );
      expect(er).toBeDefined();
      await rows(
        `INSERT INTO participant_result (event_result_id, simsession_number, cust_id, finish_position)
         VALUES ($1, 0, $2, 0)`,
        [er.id, racer],
      );
      ids.push(next + i);
    }
    return ids;
  }

  it('counts the weeks the racer raced from their official results: credit reachable, then earned', async () => {
    // Weeks 1-7 at a track the racer owns, 8-12 at one they do not: 7 raceable weeks to come, 8 needed.
    const seasonId = await futureSeason();
    const [mine, missing] = await paidTracks(seasonId, 0, 2);
    const layouts = Array.from({ length: 12 }, (_, i) => (i < 7 ? mine.track_id : missing.track_id));
    const nums = (
      await rows(`SELECT race_week_num FROM race_week WHERE season_id = $1 ORDER BY race_week_num`, [
        seasonId,
      ])
    ).map((r) => r.race_week_num as number);
    // Another member, stored as a results import stores the drivers of a race it reads.
    const [other] = await rows(
      `INSERT INTO sim_profile (cust_id, display_name)
       SELECT COALESCE(max(cust_id), 0) + 1, 'Another Racer' FROM sim_profile RETURNING cust_id`,
    );
    const subsessions: number[] = [];
    try {
      await withWeeksAt(seasonId, layouts, async () => {
        await allCarsAnd([mine.package_id]);
        expect(await seasonPlan(seasonId)).toMatchObject({
          racedWeeks: 0,
          raceableWeeksLeft: 7,
          creditReachable: false,
          creditEarned: false,
        });
        // Results of weeks 8 and 9 (the counts read a result's season and week, not its date; weeks the racer
        // cannot race now, as with a car or track they no longer own); another racer's result of week 10, and a
        // hosted session of the racer that names no season: neither counts. 2 raced + 7 to come reach the 8.
        subsessions.push(...(await officialResults(seasonId, [nums[7], nums[8]])));
        subsessions.push(...(await officialResults(seasonId, [nums[9]], other.cust_id as number)));
        const [hosted] = await officialResults(seasonId, [nums[10]]);
        subsessions.push(hosted);
        await rows(
          `UPDATE event_result SET kind = 'HOSTED', season_id = NULL, series_id = NULL, race_week_num = NULL
           WHERE subsession_id = $1`,
          [hosted],
        );
        expect(await seasonPlan(seasonId)).toEqual({
          season: { id: seasonId },
          weeks: 12,
          raceableWeeks: 7,
          racedWeeks: 2,
          weeksNeeded: 8,
          raceableWeeksLeft: 7,
          creditReachable: true,
          creditEarned: false,
        });
        // Weeks 1-6 raced as well: 8 raced weeks earn the credit; week 7 is the one raceable week left.
        subsessions.push(...(await officialResults(seasonId, nums.slice(0, 6))));
        expect(await seasonPlan(seasonId)).toEqual({
          season: { id: seasonId },
          weeks: 12,
          raceableWeeks: 7,
          racedWeeks: 8,
          weeksNeeded: 8,
          raceableWeeksLeft: 1,
          creditReachable: true,
          creditEarned: true,
        });
      });
    } finally {
      await rows(`DELETE FROM event_result WHERE subsession_id = ANY($1::int[])`, [subsessions]);
      await rows(`DELETE FROM sim_profile WHERE cust_id = $1`, [other.cust_id]);
    }
  });

  it("limits a quarter's seasons to those with a favourite week, each counted on all its weeks", async () => {
    // Read through the service: the GraphQL field takes no favouritesOnly argument (yet).
    const planner = h.app.get(PlannerService);
    const seasonId = await futureSeason();
    const { y, q: quarter } = await quarterOf(seasonId);
    const [lone, mine] = await paidTracks(seasonId, 1, 1);
    const favourites = async () =>
      (await planner.seasonPlans(custId, y, quarter, true)).map((p) => ({ id: p.seasonId, weeks: p.weeks }));
    const weeksOf = async (ids: number[]) =>
      (
        await rows(
          `SELECT season_id AS id, count(*)::int AS weeks FROM race_week WHERE season_id = ANY($1::int[])
           GROUP BY season_id ORDER BY season_id`,
          [ids],
        )
      ).map((r) => ({ id: r.id as number, weeks: r.weeks as number }));
    const favourite = (kind: string, id: number, on = true) =>
      q(
        `mutation($id: Int!, $on: Boolean) { setFavourite(kind: ${kind}, id: $id, favourite: $on) { series { id } } }`,
        {
          id,
          on,
        },
      );
    expect(await favourites()).toEqual([]);
    // Week 5 of the season at a track no week still to come of another season is at, marked a favourite: that
    // season, with all its 12 weeks, and no other.
    const layouts = Array.from({ length: 12 }, (_, i) => (i === 4 ? lone.track_id : mine.track_id));
    await withWeeksAt(seasonId, layouts, async () => {
      await favourite('TRACK', lone.package_id);
      try {
        expect(await favourites()).toEqual([{ id: seasonId, weeks: 12 }]);
      } finally {
        await favourite('TRACK', lone.package_id, false);
      }
    });
    // A favourite series: its seasons of the quarter.
    const [{ series_id: seriesId }] = await rows(`SELECT series_id FROM season WHERE season_id = $1`, [
      seasonId,
    ]);
    const ofSeries = (
      await rows(`SELECT season_id FROM season WHERE series_id = $1 AND year = $2 AND quarter = $3`, [
        seriesId,
        y,
        quarter,
      ])
    ).map((r) => r.season_id as number);
    await favourite('SERIES', seriesId);
    try {
      expect(await favourites()).toEqual(await weeksOf(ofSeries));
    } finally {
      await favourite('SERIES', seriesId, false);
    }
    // A favourite car: the seasons with a week allowing it (its own list, else its classes' cars).
    const [{ car }] = await rows(
      `SELECT min(m.car_id) AS car FROM race_week rw JOIN car_class_car m ON m.car_class_id = ANY(rw.car_class_ids)
       WHERE rw.season_id = $1`,
      [seasonId],
    );
    const allowing = (
      await rows(
        `SELECT DISTINCT rw.season_id FROM race_week rw JOIN season se ON se.season_id = rw.season_id
         WHERE se.year = $1 AND se.quarter = $2 AND CASE WHEN cardinality(rw.car_ids) > 0 THEN $3 = ANY(rw.car_ids)
           ELSE EXISTS (SELECT 1 FROM car_class_car m WHERE m.car_id = $3 AND m.car_class_id = ANY(rw.car_class_ids)) END`,
        [y, quarter, car],
      )
    ).map((r) => r.season_id as number);
    expect(allowing).toContain(seasonId);
    await favourite('CAR', car);
    try {
      expect(await favourites()).toEqual(await weeksOf(allowing));
      // Without favouritesOnly, every season of the quarter.
      expect((await planner.seasonPlans(custId, y, quarter)).length).toBeGreaterThanOrEqual(allowing.length);
    } finally {
      await favourite('CAR', car, false);
    }
  });

  it('flags overlapping planned sessions, and a planned week a later sync changed', async () => {
    const w = await paidWeek();
    await content([w.cars[0]], [w.package_id], { [w.category_id]: 20 });
    // Two sessions of different weeks that overlap in time.
    const [pair] = await rows(
      `SELECT a.id AS a, b.id AS b FROM event_instance a JOIN event_instance b
         ON b.id <> a.id AND b.start_time >= a.start_time AND b.start_time < a.start_time + interval '20 minutes'
       JOIN event ea ON ea.id = a.event_id JOIN event eb ON eb.id = b.event_id AND eb.race_week_id <> ea.race_week_id
       WHERE a.start_time > $1 ORDER BY a.start_time, a.id LIMIT 1`,
      [NOW],
    );
    // A third session, alone in its hour and of another week than the one the sync below changes.
    const [x] = await rows(
      `SELECT i.id FROM event_instance i JOIN event e ON e.id = i.event_id
       WHERE i.start_time > now() + interval '3 days' AND e.race_week_id <> $1
         AND NOT EXISTS (SELECT 1 FROM event_instance o WHERE o.id <> i.id
                         AND o.start_time > i.start_time - interval '2 hours' AND o.start_time < i.start_time + interval '2 hours'
                         AND o.id IN ($2, $3))
       ORDER BY i.start_time, i.id LIMIT 1`,
      [w.id, pair.a, pair.b],
    );
    const ids: number[] = [];
    for (const id of [pair.a, pair.b, x.id])
      ids.push((await q(`mutation($s: Int!) { planSession(sessionId: $s) }`, { s: id })).planSession);
    const weekItem = (
      await q(`mutation($w: Int!, $c: Int!) { planWeek(raceWeekId: $w, carId: $c) }`, {
        w: w.id,
        c: w.cars[0],
      })
    ).planWeek;
    const badCar = await gql(`mutation($w: Int!) { planWeek(raceWeekId: $w, carId: 987654) }`, { w: w.id });
    expect(badCar.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    const PLAN = `query($from: DateTime, $to: DateTime) { me { plan(from: $from, to: $to) {
      id kind changed changeReason overlapsWith session { id } raceWeek { id } car { id } } } }`;
    const window = {
      from: new Date(NOW.getTime() - DAY).toISOString(),
      to: new Date(NOW.getTime() + 60 * DAY).toISOString(),
    };
    const before = (await q(PLAN, window)).me.plan as Raw[];
    const byId = new Map(before.map((p) => [p.id, p]));
    expect(byId.get(ids[0])).toMatchObject({
      kind: 'SESSION',
      changed: false,
      overlapsWith: [ids[1]],
      session: { id: pair.a },
    });
    expect(byId.get(ids[1])?.overlapsWith).toEqual([ids[0]]);
    expect(byId.get(ids[2])?.overlapsWith).toEqual([]);
    expect(byId.get(weekItem)).toMatchObject({ kind: 'WEEK', changed: false, car: { id: w.cars[0] } });

    // A later sync changes the week: iRacing's schedule now puts it at another track.
    const [{ race_week_num: weekNum }] = await rows(`SELECT race_week_num FROM race_week WHERE id = $1`, [
      w.id,
    ]);
    const [other] = await rows(
      `SELECT track_id FROM sim_layout WHERE package_id <> $1 ORDER BY track_id LIMIT 1`,
      [w.package_id],
    );
    h.replica.override('series/seasons', (payload) => {
      for (const season of (payload ?? []) as Raw[])
        for (const week of (season.schedules ?? []) as Raw[])
          if (season.season_id === w.season_id && week.race_week_num === weekNum)
            week.track = { ...(week.track as Raw), track_id: other.track_id };
      return payload;
    });
    const sync = await h.data<Raw>(
      `mutation { syncSeasons(input: { refresh: true }) { id } }`,
      {},
      ADMIN_KEY,
    );
    expect((await h.waitForRun(sync.syncSeasons.id, 120_000)).status).toBe('SUCCEEDED');
    const after = new Map(((await q(PLAN, window)).me.plan as Raw[]).map((p) => [p.id, p]));
    expect(after.get(weekItem)).toMatchObject({
      changed: true,
      changeReason: 'the track changed since it was planned',
    });
    expect(after.get(ids[2])).toMatchObject({ changed: false });
    expect(await q(`mutation($w: Int!) { unplanWeek(raceWeekId: $w) }`, { w: w.id })).toEqual({
      unplanWeek: true,
    });
    expect(await q(`mutation($w: Int!) { unplanWeek(raceWeekId: $w) }`, { w: w.id })).toEqual({
      unplanWeek: false,
    });
  });

  it('marks a planned week changed when a later sync changes its session times, its cars or its classes’ cars', async () => {
    // Three future weeks of three series, none sharing a car class with another: one whose sessions repeat, one a
    // sync will give its own list of cars (its classes' and one more), and one whose classes' cars a catalog sync
    // will change.
    const future = `rw.start_time > $1 AND EXISTS (SELECT 1 FROM event e WHERE e.race_week_id = rw.id)`;
    const [times] = await rows(
      `SELECT rw.id, rw.season_id, rw.series_id, rw.race_week_num, rw.car_class_ids,
              (SELECT min(m.car_id) FROM car_class_car m WHERE m.car_class_id = ANY(rw.car_class_ids)) AS car
       FROM race_week rw WHERE ${future} AND cardinality(rw.car_ids) = 0
         AND rw.race_time_descriptors->0->>'repeating' = 'true'
         AND EXISTS (SELECT 1 FROM car_class_car m WHERE m.car_class_id = ANY(rw.car_class_ids))
       ORDER BY rw.start_time, rw.id LIMIT 1`,
      [NOW],
    );
    const [listed] = await rows(
      `SELECT rw.id, rw.season_id, rw.series_id, rw.race_week_num, rw.car_class_ids, w.cars[1] AS car,
              w.cars || (SELECT min(c.car_id) FROM sim_car c WHERE c.car_id <> ALL(w.cars)) AS listed
       FROM race_week rw CROSS JOIN LATERAL (SELECT ARRAY(SELECT DISTINCT m.car_id FROM car_class_car m
         WHERE m.car_class_id = ANY(rw.car_class_ids) ORDER BY 1) AS cars) w
       WHERE ${future} AND cardinality(rw.car_ids) = 0 AND cardinality(w.cars) > 0 AND rw.series_id <> $2
         AND NOT rw.car_class_ids && $3::int[]
       ORDER BY rw.start_time, rw.id LIMIT 1`,
      [NOW, times.series_id, times.car_class_ids],
    );
    const [classes] = await rows(
      `SELECT rw.id, rw.car_class_ids[1] AS car_class_id,
              (SELECT min(m.car_id) FROM car_class_car m WHERE m.car_class_id = rw.car_class_ids[1]) AS car,
              (SELECT min(c.car_id) FROM sim_car c WHERE NOT EXISTS (SELECT 1 FROM car_class_car m
                 WHERE m.car_class_id = rw.car_class_ids[1] AND m.car_id = c.car_id)) AS added
       FROM race_week rw WHERE ${future} AND cardinality(rw.car_ids) = 0 AND rw.series_id <> ALL($2::int[])
         AND NOT rw.car_class_ids && $3::int[]
         AND EXISTS (SELECT 1 FROM car_class_car m WHERE m.car_class_id = rw.car_class_ids[1])
       ORDER BY rw.start_time, rw.id LIMIT 1`,
      [NOW, [times.series_id, listed.series_id], [...times.car_class_ids, ...listed.car_class_ids]],
    );
    for (const w of [times, listed, classes]) expect(w?.car).toEqual(expect.any(Number));
    expect(classes.added).toEqual(expect.any(Number));
    const items = new Map<number, number>();
    for (const w of [times, listed, classes])
      items.set(
        w.id,
        (
          await q(`mutation($w: Int!, $c: Int!) { planWeek(raceWeekId: $w, carId: $c) }`, {
            w: w.id,
            c: w.car,
          })
        ).planWeek,
      );
    const PLAN = `query($from: DateTime, $to: DateTime) { me { plan(from: $from, to: $to) {
      id changed changeReason } } }`;
    const window = {
      from: new Date(NOW.getTime() - DAY).toISOString(),
      to: new Date(NOW.getTime() + 300 * DAY).toISOString(),
    };
    const reasons = async () => {
      const plan = new Map(((await q(PLAN, window)).me.plan as Raw[]).map((p) => [p.id, p.changeReason]));
      return [times, listed, classes].map((w) => plan.get(items.get(w.id)));
    };
    const sync = async (mutation: string) => {
      const run = await h.data<Raw>(
        `mutation { ${mutation}(input: { refresh: true }) { id } }`,
        {},
        ADMIN_KEY,
      );
      expect((await h.waitForRun(run[mutation].id, 120_000)).status).toBe('SUCCEEDED');
    };
    try {
      expect(await reasons()).toEqual([null, null, null]);
      // iRacing now races the first week every twice as long, and lists the second week's own cars: its classes'
      // and one more.
      h.replica.override('series/seasons', (payload) => {
        for (const season of (payload ?? []) as Raw[])
          for (const week of (season.schedules ?? []) as Raw[]) {
            if (season.season_id === times.season_id && week.race_week_num === times.race_week_num)
              for (const d of week.race_time_descriptors as Raw[]) d.repeat_minutes *= 2;
            if (season.season_id === listed.season_id && week.race_week_num === listed.race_week_num)
              week.race_week_cars = (listed.listed as number[]).map((id) => ({ car_id: id }));
          }
        return payload;
      });
      await sync('syncSeasons');
      const [{ car_ids: listedCars }] = await rows(`SELECT car_ids FROM race_week WHERE id = $1`, [
        listed.id,
      ]);
      expect(listedCars).toEqual(listed.listed);
      expect(await reasons()).toEqual([
        'the session times changed since it was planned',
        'the cars changed since it was planned',
        null,
      ]);
      // A catalog sync adds a car to a class of the third week: the week's row is the same, the cars it allows not.
      h.replica.override('carclass/get', (payload) => {
        for (const cls of (payload ?? []) as Raw[])
          if (cls.car_class_id === classes.car_class_id)
            cls.cars_in_class = [
              ...(cls.cars_in_class as Raw[]),
              { car_id: classes.added, car_dirpath: 'added' },
            ];
        return payload;
      });
      await sync('syncCatalog');
      expect(await reasons()).toEqual([
        'the session times changed since it was planned',
        'the cars changed since it was planned',
        'the cars changed since it was planned',
      ]);
    } finally {
      h.replica.clearOverrides();
      for (const w of [times, listed, classes])
        await q(`mutation($w: Int!) { unplanWeek(raceWeekId: $w) }`, { w: w.id });
      // The catalog and the schedule as iRacing has them again, for the tests that follow; the syncs' follow-ups,
      // if any, are over before the next test counts its statements.
      await sync('syncCatalog');
      await sync('syncSeasons');
      await idle(h);
    }
  });

  it('answers each planner query in statements bounded by its depth, whatever the racer owns', async () => {
    const QUERIES = [
      `{ me { raceableSessions(first: 50) { totalCount edges { node { localStartTime session { id } myCars { id } } } } } }`,
      `{ me { raceWeeks(first: 50, filter: { includeBlocked: true }) { edges { node { pattern raceWeek { id }
          myCars { id } blockedBy { reason track { id } cars { id } } } } } } }`,
      `{ me { purchaseGuide(budget: 200, first: 20) { suggestions { car { id } track { id } raceableWeeksAdded }
          basket { total items { car { id } track { id } } } } } }`,
    ];
    const [{ y, q: quarter }] = (await rows(
      `SELECT year AS y, quarter AS q FROM season WHERE year IS NOT NULL ORDER BY season_id LIMIT 1`,
    )) as { y: number; q: number }[];
    QUERIES.push(
      `{ me { seasons(year: ${y}, quarter: ${quarter}) { season { id } raceableWeeks racedWeeks } } }`,
    );
    const counts = async () => {
      const out: number[] = [];
      for (const query of QUERIES) out.push(await countStatements(h, () => q(query)));
      return out;
    };
    await content([], [], {});
    const few = await counts();
    const cars = (await rows(`SELECT car_id FROM sim_car ORDER BY car_id`)).map((r) => r.car_id as number);
    const tracks = (await rows(`SELECT package_id FROM sim_track ORDER BY package_id`)).map(
      (r) => r.package_id as number,
    );
    await content(cars.slice(0, Math.ceil(cars.length / 2)), tracks.slice(0, Math.ceil(tracks.length / 2)), {
      1: 12,
      5: 16,
      6: 8,
    });
    const many = await counts();
    // One statement per step and per level of nested objects, whatever the rows: the viewer token; then
    // raceableSessions: settings, eligibility, page, count, cars; raceWeeks: settings, eligibility, session starts,
    // race weeks, cars, tracks; purchaseGuide: the weeks it could open, season counts, prices, raced weeks,
    // favourites, cars, tracks; seasons: the quarter's seasons, season counts, seasons.
    const bounds = [6, 7, 8, 4];
    for (const list of [few, many]) list.forEach((n, i) => expect(n).toBeLessThanOrEqual(bounds[i]));
  });

  it("refuses an unknown time zone, and another racer's plan is never theirs", async () => {
    const bad = await gql(`mutation { setMySettings(input: { timeZone: "Mars/Olympus" }) { timeZone } }`);
    expect(bad.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(bad.errors?.[0].message).toMatch(/Mars\/Olympus/);
    const anonymous = await h.gql(`mutation { planSession(sessionId: 1) }`);
    expect(anonymous.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect((await h.data<Raw>(`{ me { custId } }`, {}, ADMIN_KEY)).me).toBeNull();
  });

  it("keeps each racer's plan their own: another racer neither sees nor unplans it", async () => {
    const second = await linkRacer(h, other.custId, REDIRECT, 'planner e2e, second racer');
    expect(second.custId).not.toBe(custId);
    const as =
      (t: string) =>
      (query: string, variables: Raw = {}) =>
        h.data<Raw>(query, variables, t);
    const [a, b] = [as(token), as(second.token)];
    // Two sessions of two weeks within the next month that the first racer has not planned yet, each with a car its
    // week allows (its own list, else its classes' cars).
    const [s1, s2] = await rows(
      `SELECT * FROM (
         SELECT DISTINCT ON (e.race_week_id) i.id, e.race_week_id AS week,
                COALESCE(rw.car_ids[1], (SELECT min(m.car_id) FROM car_class_car m
                                         WHERE m.car_class_id = ANY(rw.car_class_ids))) AS car
         FROM event_instance i JOIN event e ON e.id = i.event_id JOIN race_week rw ON rw.id = e.race_week_id
         WHERE i.start_time > $1::timestamptz + interval '1 day' AND i.start_time < $1::timestamptz + interval '30 days'
           AND NOT EXISTS (SELECT 1 FROM planner_plan_item p WHERE p.cust_id = $2 AND p.race_week_id = e.race_week_id)
         ORDER BY e.race_week_id, i.start_time, i.id) s
       WHERE car IS NOT NULL ORDER BY week LIMIT 2`,
      [NOW, custId],
    );
    expect(s2).toBeDefined();
    const PLAN = `query($from: DateTime, $to: DateTime) { me { plan(from: $from, to: $to) { id session { id } } } }`;
    const window = {
      from: new Date(NOW.getTime() - DAY).toISOString(),
      to: new Date(NOW.getTime() + 60 * DAY).toISOString(),
    };
    const planOf = async (ask: typeof a) =>
      ((await ask(PLAN, window)).me.plan as Raw[]).map((p) => p.id as number);
    const plan = (ask: typeof a, s: number) =>
      ask(`mutation($s: Int!) { planSession(sessionId: $s) }`, { s }).then((r) => r.planSession as number);
    const unplan = (ask: typeof a, s: number) =>
      ask(`mutation($s: Int!) { unplanSession(sessionId: $s) }`, { s }).then(
        (r) => r.unplanSession as boolean,
      );
    try {
      const mine = await plan(a, s1.id);
      const theirs = await plan(b, s2.id);
      expect(await planOf(a)).toContain(mine);
      expect(await planOf(a)).not.toContain(theirs);
      expect(await planOf(b)).toEqual([theirs]);
      // The second racer cannot unplan the first racer's session, nor their week.
      expect(await unplan(b, s1.id)).toBe(false);
      const week = (
        await a(`mutation($w: Int!, $c: Int!) { planWeek(raceWeekId: $w, carId: $c) }`, {
          w: s1.week,
          c: s1.car,
        })
      ).planWeek as number;
      expect(await b(`mutation($w: Int!) { unplanWeek(raceWeekId: $w) }`, { w: s1.week })).toEqual({
        unplanWeek: false,
      });
      expect(await planOf(a)).toEqual(expect.arrayContaining([mine, week]));
      expect(await planOf(b)).toEqual([theirs]);

      // The second racer plans that session too: an item of their own, which they alone see and unplan.
      const theirsToo = await plan(b, s1.id);
      expect(new Set([mine, theirs, theirsToo]).size).toBe(3);
      expect(await planOf(a)).not.toContain(theirsToo);
      expect(await unplan(b, s1.id)).toBe(true);
      expect(await unplan(b, s1.id)).toBe(false);
      expect(await planOf(a)).toEqual(expect.arrayContaining([mine, week]));

      // The first racer's own: planned, unplanned (true), then nothing left to unplan (false).
      expect(await a(`mutation($w: Int!) { unplanWeek(raceWeekId: $w) }`, { w: s1.week })).toEqual({
        unplanWeek: true,
      });
      expect(await unplan(a, s1.id)).toBe(true);
      expect(await planOf(a)).not.toContain(mine);
      expect(await unplan(a, s1.id)).toBe(false);
      expect(await planOf(b)).toEqual([theirs]);
    } finally {
      await unplan(b, s2.id);
      await unplan(b, s1.id);
    }
  });

  it('erases the plan, favourites, settings and calendar feeds when the racer unlinks', async () => {
    const w = await paidWeek();
    await q(`mutation($id: Int!) { setFavourite(kind: TRACK, id: $id) { tracks { id } } }`, {
      id: w.package_id,
    });
    await q(`mutation { setMySettings(input: { timeZone: "Asia/Tokyo" }) { timeZone } }`);
    // A plan of its own (the items earlier tests left are counted too).
    await q(`mutation($w: Int!, $c: Int!) { planWeek(raceWeekId: $w, carId: $c) }`, {
      w: w.id,
      c: w.cars[0],
    });
    const feed = (await q(`mutation { createCalendarFeed { token } }`)).createCalendarFeed.token as string;
    registerLogSecret('a feed token (planner e2e)', feed);
    const count = async (table: string, extra = '') =>
      (await rows(`SELECT count(*)::int AS n FROM ${table} WHERE cust_id = $1 ${extra}`, [custId]))[0]
        .n as number;
    const plan = await count('planner_plan_item');
    expect(plan).toBeGreaterThan(0);
    const r = await q(
      `mutation { unlinkIracingAccount { planItemsDeleted favouritesDeleted calendarFeedsRevoked } }`,
    );
    expect(r.unlinkIracingAccount).toEqual({
      planItemsDeleted: plan,
      favouritesDeleted: 1,
      calendarFeedsRevoked: 1,
    });
    for (const table of ['planner_plan_item', 'planner_favourite', 'planner_settings'])
      expect(await count(table)).toBe(0);
    expect(await count('planner_feed_token', 'AND revoked_at IS NULL')).toBe(0);
  });
});

describe('the planner in a time zone whose daylight saving changes inside the week (end to end)', () => {
  // The synthetic world anchored in the week of Europe's change to summer time (Sunday 29 March 2026, 01:00 UTC).
  const NOW = new Date('2026-03-25T12:00:00Z');
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    ({ h, token } = await plannerHarness(NOW, 53));
  }, 240_000);
  afterAll(async () => {
    await h?.close();
  });

  it('gives local start times with the offset of their own day, and the week pattern in that zone', async () => {
    await h.data(`mutation { setMySettings(input: { timeZone: "Europe/Berlin" }) { timeZone } }`, {}, token);
    const [w] = (await h.db.query(
      `SELECT rw.id, rw.series_id, rw.start_time, rw.end_time FROM race_week rw
       WHERE rw.start_time < '2026-03-29T01:00:00Z' AND rw.end_time > '2026-03-29T01:00:00Z'
         AND EXISTS (SELECT 1 FROM event e JOIN event_instance i ON i.event_id = e.id WHERE e.race_week_id = rw.id
                     AND i.start_time >= '2026-03-28T19:00:00Z' AND i.start_time < '2026-03-29T01:00:00Z')
         AND EXISTS (SELECT 1 FROM event e JOIN event_instance i ON i.event_id = e.id WHERE e.race_week_id = rw.id
                     AND i.start_time >= '2026-03-29T01:00:00Z' AND i.start_time < '2026-03-29T07:00:00Z')
       ORDER BY rw.series_id, rw.id LIMIT 1`,
    )) as Raw[];
    expect(w).toBeDefined();
    // Everything owned, every licence: every session of the week is raceable.
    const custId = (await h.data<Raw>(`{ me { custId } }`, {}, token)).me.custId;
    await h.db.query(
      `INSERT INTO sim_profile_car_ownership (cust_id, car_id) SELECT $1, car_id FROM sim_car ON CONFLICT DO NOTHING`,
      [custId],
    );
    await h.db.query(
      `INSERT INTO sim_profile_track_ownership (cust_id, package_id) SELECT $1, package_id FROM sim_track
       ON CONFLICT DO NOTHING`,
      [custId],
    );
    await h.db.query(
      `UPDATE sim_profile SET licenses = (SELECT jsonb_agg(jsonb_build_object('category_id', c, 'license_level', 20))
         FROM generate_series(1, 6) c) WHERE cust_id = $1`,
      [custId],
    );
    const r = await h.data<Raw>(
      `query($f: RaceableSessionFilter, $w: PlannerWeekFilter) { me {
         raceableSessions(filter: $f, first: 100) { edges { node { localStartTime session { startTime } } } }
         raceWeeks(filter: $w) { edges { node { raceWeek { id } pattern } } } } }`,
      {
        // Twelve hours around the change: sessions on both sides within one page, however busy the series.
        f: { seriesIds: [w.series_id], from: '2026-03-28T19:00:00Z', to: '2026-03-29T07:00:00Z' },
        w: { seriesIds: [w.series_id], from: w.start_time, to: w.end_time },
      },
      token,
    );
    const nodes = (r.me.raceableSessions.edges as Raw[]).map((e) => e.node);
    const before = nodes.filter((n) => Date.parse(n.session.startTime) < Date.parse('2026-03-29T01:00:00Z'));
    const after = nodes.filter((n) => Date.parse(n.session.startTime) >= Date.parse('2026-03-29T01:00:00Z'));
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    for (const n of before) expect(n.localStartTime).toMatch(/\+01:00$/);
    for (const n of after) expect(n.localStartTime).toMatch(/\+02:00$/);
    const local = (n: Raw) => new Date(Date.parse(n.session.startTime)).getTime();
    for (const n of nodes) {
      const offset = n.localStartTime.endsWith('+02:00') ? 2 : 1;
      const wall = Date.parse(n.localStartTime.slice(0, 19) + 'Z');
      expect(wall - local(n)).toBe(offset * 3_600_000);
    }
    const week = (r.me.raceWeeks.edges as Raw[]).find((e) => e.node.raceWeek.id === w.id);
    expect(week?.node.pattern).toEqual(expect.stringMatching(/\S/));
  });
});
