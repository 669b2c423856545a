// Members as real accounts shape them, end to end (real PostgreSQL, Redis, Bull, the replica serving a small
// synthetic world, with fixtures written here through per-endpoint overrides):
// - member/get sends the flair's short name but no flair_country_code, and a null iRating for a category the
//   member has not raced: merged into what member/info gave, never erasing a known value;
// - the account owns packages that car/get and track/get do not list: kept as unknown packages, the run
//   SUCCEEDED with a warning (not a failed unit), the catalog fetched again at most once per run, and not again
//   for packages already seen or when the catalog was stored recently.
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { MembersImporter } from '../../src/members/members.importer.js';
import { ADMIN_KEY, startHarness, SYNC_RUN_FIELDS } from '../support/harness.js';
import type { Harness, SyncRunView } from '../support/harness.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const NOW = new Date();
const WORLD = { seed: 23, scale: 0.05, now: NOW };
// Package ids no synthetic catalog uses.
const UNKNOWN_CAR_PACKAGE = 990_001;
const UNKNOWN_TRACK_PACKAGE = 990_002;
const LATER_CAR_PACKAGE = 990_003;
const NEW_CAR_PACKAGE = 990_004;
const NEW_CAR_ID = 990_104;

const MEMBER = `custId displayName countryCode flairName flairShortname flairId clubName
  licenses { categoryId category iRating safetyRating licenseLevel }
  unknownOwnedPackages { kind packageId firstSeenAt }`;

describe('member shapes (end to end, synthetic world and hand-written fixtures)', () => {
  let h: Harness;
  let info: Raw;
  let custId: number;
  const run = async (mutation: string, variables: Raw = {}): Promise<SyncRunView & Raw> => {
    const data = await h.data<Record<string, { id: number }>>(mutation, variables, ADMIN_KEY);
    const done = await h.waitForRun(Object.values(data)[0].id);
    const { syncRun } = await h.data<{ syncRun: Raw }>(
      `query($id: Int!) { syncRun(id: $id) { ${SYNC_RUN_FIELDS} } }`,
      {
        id: done.id,
      },
    );
    return syncRun as SyncRunView & Raw;
  };
  const syncOwned = () => run(`mutation { syncOwnedContent { id } }`);
  const syncMember = (id: number) =>
    run(`mutation($id: Int!) { syncMemberRecentRaces(custId: $id) { id } }`, { id });
  const member = async (id: number): Promise<Raw> =>
    (
      await h.data<{ member: Raw }>(
        `query($id: Int!) { member(custId: $id) { ${MEMBER} } }`,
        { id },
        ADMIN_KEY,
      )
    ).member;
  const rows = async (sql: string, params: unknown[] = []) => (await h.db.query(sql, params)) as Raw[];
  const carGets = () => h.replica.stats.dataRequests['car/get'] ?? 0;
  const byEntity = (r: SyncRunView) => Object.fromEntries(r.countsByEntity.map((c) => [c.entity, c]));
  /** The catalog as if stored hours ago: nothing recent stops a fetch for packages it lacks. */
  const ageCatalog = () =>
    h.db.query(`UPDATE payload_hash SET updated_at = now() - interval '3 hours' WHERE source = 'catalog'`);
  /** member/info as served, owning these packages too. */
  const owning = (cars: number[], tracks: number[] = []) =>
    h.replica.override('member/info', (payload) => {
      const p = payload as Raw;
      p.car_packages = [
        ...(p.car_packages as Raw[]),
        ...cars.map((id) => ({ package_id: id, content_ids: [id] })),
      ];
      p.track_packages = [
        ...(p.track_packages as Raw[]),
        ...tracks.map((id) => ({ package_id: id, content_ids: [id] })),
      ];
      return p;
    });
  /** car/get as served, with one more car in a package of its own. */
  const listingNewCar = () =>
    h.replica.override('car/get', (payload) => {
      const cars = payload as Raw[];
      return [
        ...cars,
        { ...cars[0], car_id: NEW_CAR_ID, package_id: NEW_CAR_PACKAGE, car_name: 'Brand New GT' },
      ];
    });
  /** stats for the member: no recent races, so a member sync queues nothing else. */
  const quietStats = () => {
    h.replica.override('stats/member_recent_races', (_p, params) => ({
      cust_id: Number(params.get('cust_id')),
      races: [],
    }));
    h.replica.override('stats/member_summary', (_p, params) => ({
      cust_id: Number(params.get('cust_id')),
      this_year: { num_official_sessions: 0 },
    }));
  };
  const license = (category_id: number, category: string, irating: number | null, seq: number): Raw => ({
    category_id,
    category,
    category_name: category,
    license_level: 10,
    safety_rating: null,
    irating,
    tt_rating: null,
    group_name: 'Class C',
    seq,
  });

  beforeAll(async () => {
    h = await startHarness({ dataset: syntheticDataset(WORLD), now: () => NOW });
    const catalog = await run(`mutation { syncCatalog { id } }`);
    expect(catalog.status).toBe('SUCCEEDED');
  });
  afterAll(async () => {
    await h?.close();
  });
  afterEach(async () => {
    h.replica.clearOverrides();
    await h.clearIracingCache();
  });

  it("keeps member/info's iRating and country code when member/get sends nulls and no country code", async () => {
    const owned = await syncOwned();
    expect(owned.errors).toEqual([]);
    expect(owned.status).toBe('SUCCEEDED');
    info = (
      await rows(
        `SELECT cust_id, country_code, flair_shortname, licenses FROM sim_profile WHERE info_at IS NOT NULL`,
      )
    )[0];
    custId = info.cust_id as number;
    expect(info.country_code).toEqual(expect.any(String));
    const before = await member(custId);
    expect(before.licenses.length).toBeGreaterThanOrEqual(2);
    const [first, second] = before.licenses as Raw[];
    expect(first.iRating).toEqual(expect.any(Number));
    expect(second.iRating).toEqual(expect.any(Number));

    // member/get: the flair's short name only, a null iRating for the first category, a new one for the second,
    // and a club member/info does not give.
    quietStats();
    h.replica.override('member/get', (_p, params) => ({
      success: true,
      cust_ids: [Number(params.get('cust_ids'))],
      members: [
        {
          cust_id: custId,
          display_name: before.displayName,
          club_name: 'Fixture Club',
          flair_id: 77,
          flair_name: 'Fixtureland',
          flair_shortname: 'FXL',
          licenses: [
            license(first.categoryId, first.category, null, 1),
            license(second.categoryId, second.category, 4321, 2),
          ],
        },
      ],
    }));
    const got = await syncMember(custId);
    expect(got.errors).toEqual([]);
    expect(got.status).toBe('SUCCEEDED');
    const after = await member(custId);
    expect(after).toMatchObject({
      countryCode: before.countryCode,
      flairName: 'Fixtureland',
      flairShortname: 'FXL',
      flairId: 77,
      clubName: 'Fixture Club',
    });
    const byCategory = new Map((after.licenses as Raw[]).map((l) => [l.categoryId, l]));
    expect(byCategory.get(first.categoryId)).toMatchObject({ iRating: first.iRating, licenseLevel: 10 });
    // A null safety rating does not erase the stored one either; a non-null iRating replaces the old one.
    expect(byCategory.get(first.categoryId)!.safetyRating).toBe(first.safetyRating);
    expect(byCategory.get(second.categoryId)).toMatchObject({ iRating: 4321 });
    // Categories member/get did not list are kept, in iRacing's order.
    expect((after.licenses as Raw[]).map((l) => l.category)).toEqual(
      (before.licenses as Raw[]).map((l) => l.category),
    );

    // The same member/get again changes nothing; member/info afterwards does not drop member/get's club.
    const again = await syncMember(custId);
    expect(byEntity(again).sim_profile).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    await h.clearIracingCache();
    await syncOwned();
    const merged = await member(custId);
    expect(merged.clubName).toBe('Fixture Club');
    expect(merged.countryCode).toBe(before.countryCode);
  });

  it('stores the flair of a member only member/get knows, without a country code', async () => {
    const other = custId + 7_000_000;
    quietStats();
    h.replica.override('member/get', () => ({
      success: true,
      cust_ids: [other],
      members: [
        {
          cust_id: other,
          display_name: 'Flair Only',
          flair_id: 12,
          flair_name: 'Somewhere',
          flair_shortname: 'SMW',
          licenses: [license(1, 'oval', null, 1), license(5, 'sports_car', 1888, 2)],
        },
      ],
    }));
    const got = await syncMember(other);
    expect(got.errors).toEqual([]);
    expect(got.status).toBe('SUCCEEDED');
    const m = await member(other);
    expect(m).toMatchObject({
      displayName: 'Flair Only',
      flairShortname: 'SMW',
      flairName: 'Somewhere',
      flairId: 12,
      countryCode: null,
    });
    expect(m.licenses.map((l: Raw) => [l.category, l.iRating])).toEqual([
      ['oval', null],
      ['sports_car', 1888],
    ]);
    // member/get later gives the oval iRating: it fills the gap; a display name missing keeps the stored one.
    h.replica.override('member/get', () => ({
      success: true,
      cust_ids: [other],
      members: [{ cust_id: other, display_name: null, licenses: [license(1, 'oval', 1500, 1)] }],
    }));
    await h.clearIracingCache();
    await syncMember(other);
    const filled = await member(other);
    expect(filled.displayName).toBe('Flair Only');
    expect(filled.flairShortname).toBe('SMW');
    expect(filled.licenses.map((l: Raw) => [l.category, l.iRating])).toEqual([
      ['oval', 1500],
      ['sports_car', 1888],
    ]);
  });

  it('keeps owned packages the catalog does not list as unknown: SUCCEEDED, warned once, the catalog fetched once', async () => {
    await ageCatalog();
    owning([UNKNOWN_CAR_PACKAGE], [UNKNOWN_TRACK_PACKAGE]);
    const requests = carGets();
    const first = await syncOwned();
    expect(first.errors).toEqual([]);
    expect(first.status).toBe('SUCCEEDED');
    // The catalog was fetched once for them (with refresh, past the cache), and still lacks them.
    expect(carGets() - requests).toBe(1);
    expect(first.warnings).toHaveLength(1);
    expect(first.warnings[0]).toMatchObject({ unit: 'owned content', endpoint: 'member/info' });
    expect(first.warnings[0].message).toMatch(
      new RegExp(`car packages ${UNKNOWN_CAR_PACKAGE}; track packages ${UNKNOWN_TRACK_PACKAGE}`),
    );
    expect(byEntity(first).sim_profile_unknown_package).toMatchObject({ created: 2, deleted: 0 });
    const stored = (await member(custId)).unknownOwnedPackages as Raw[];
    expect(stored.map((u) => [u.kind, u.packageId])).toEqual([
      ['CAR', UNKNOWN_CAR_PACKAGE],
      ['TRACK', UNKNOWN_TRACK_PACKAGE],
    ]);

    // A second run (cache cleared, catalog old again): the same unknown packages were seen, so car/get is not
    // fetched and nothing is warned; the run still succeeds and keeps them.
    await h.clearIracingCache();
    await ageCatalog();
    const second = await syncOwned();
    expect(second.errors).toEqual([]);
    expect(second.status).toBe('SUCCEEDED');
    expect(carGets() - requests).toBe(1);
    expect(second.warnings).toEqual([]);
    expect(byEntity(second).sim_profile_unknown_package).toMatchObject({
      created: 0,
      deleted: 0,
      unchanged: 2,
    });
    expect(((await member(custId)).unknownOwnedPackages as Raw[]).map((u) => u.firstSeenAt)).toEqual(
      stored.map((u) => u.firstSeenAt),
    );
  });

  it('warns once per new unknown package, in process too (the report the worker records)', async () => {
    const importer = h.app.get(MembersImporter);
    await ageCatalog();
    owning([UNKNOWN_CAR_PACKAGE, LATER_CAR_PACKAGE], [UNKNOWN_TRACK_PACKAGE]);
    const requests = carGets();
    const first = await importer.syncOwnedContent();
    expect(first.failures).toEqual([]);
    // Only the package not seen before is news, and only it made the catalog worth fetching again.
    expect(first.warnings).toHaveLength(1);
    expect(first.warnings[0].message).toMatch(
      new RegExp(`owns car packages ${LATER_CAR_PACKAGE} \\(package_id\\).*\\(3 unknown in all\\)`),
    );
    expect(carGets() - requests).toBe(1);
    const second = await importer.syncOwnedContent();
    expect(second.failures).toEqual([]);
    expect(second.warnings).toEqual([]);
    expect(carGets() - requests).toBe(1);
  });

  it('does not fetch the catalog for a new unknown package when it was stored recently', async () => {
    await h.db.query(`UPDATE payload_hash SET updated_at = now() WHERE source = 'catalog'`);
    owning([UNKNOWN_CAR_PACKAGE, LATER_CAR_PACKAGE, UNKNOWN_CAR_PACKAGE + 100], [UNKNOWN_TRACK_PACKAGE]);
    const requests = carGets();
    const r = await syncOwned();
    expect(r.status).toBe('SUCCEEDED');
    expect(carGets()).toBe(requests);
    expect(r.warnings).toHaveLength(1);
    expect(byEntity(r).sim_profile_unknown_package).toMatchObject({ created: 1, deleted: 0 });
  });

  it('owns a package once the catalog lists it: fetched for a new package, the unknown row replaced', async () => {
    await ageCatalog();
    listingNewCar();
    // The sold-back packages leave the unknown list; the new one is listed by the catalog fetched for it.
    owning([UNKNOWN_CAR_PACKAGE, NEW_CAR_PACKAGE], [UNKNOWN_TRACK_PACKAGE]);
    const requests = carGets();
    const r = await syncOwned();
    expect(r.errors).toEqual([]);
    expect(r.status).toBe('SUCCEEDED');
    expect(carGets() - requests).toBe(1);
    expect(r.warnings).toEqual([]);
    expect(byEntity(r).sim_profile_unknown_package).toMatchObject({ created: 0, deleted: 2 });
    expect(
      await rows('SELECT car_id FROM sim_profile_car_ownership WHERE cust_id = $1 AND car_id = $2', [
        custId,
        NEW_CAR_ID,
      ]),
    ).toHaveLength(1);
    const m = await member(custId);
    expect(m.unknownOwnedPackages.map((u: Raw) => [u.kind, u.packageId])).toEqual([
      ['CAR', UNKNOWN_CAR_PACKAGE],
      ['TRACK', UNKNOWN_TRACK_PACKAGE],
    ]);

    // The catalog later lists the remaining car package (a catalog sync): the next run owns it, without a fetch.
    h.replica.override('car/get', (payload) => {
      const cars = payload as Raw[];
      return [
        ...cars,
        { ...cars[0], car_id: NEW_CAR_ID, package_id: NEW_CAR_PACKAGE, car_name: 'Brand New GT' },
        { ...cars[0], car_id: NEW_CAR_ID + 1, package_id: UNKNOWN_CAR_PACKAGE, car_name: 'Late Listing' },
      ];
    });
    await h.clearIracingCache();
    expect((await run(`mutation { syncCatalog { id } }`)).status).toBe('SUCCEEDED');
    const before = carGets();
    const known = await syncOwned();
    expect(known.status).toBe('SUCCEEDED');
    expect(carGets()).toBe(before);
    expect(byEntity(known).sim_profile_unknown_package).toMatchObject({ deleted: 1 });
    expect(byEntity(known).sim_profile_car_ownership).toMatchObject({ created: 1 });
    expect((await member(custId)).unknownOwnedPackages.map((u: Raw) => u.packageId)).toEqual([
      UNKNOWN_TRACK_PACKAGE,
    ]);
  });
});
