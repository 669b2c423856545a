// The SQL statements of the hot GraphQL reads (docs/architecture.md §6.1, §6.2, §6.11), counted on a seeded
// database through the running application: each query costs a fixed number of statements whatever its page size
// (one for a selection-compiled list, one per level of the tree through the resolvers, never one per row),
// `totalCount` costs a statement or a subquery only when selected, and no statement reads a stored `raw` payload. The statements are counted, not mocked: every query runner's `query` is wrapped.
import { randomBytes } from 'node:crypto';
import { syntheticMembers } from '../../offline/replica.js';
import type { MemberRef } from '../../offline/replica.js';
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { registerLogSecret, startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { linkRacer, syncCatalogAndSeasons } from '../support/linked.js';
import { idle, recordStatements, statementShapes } from '../support/statements.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const REDIRECT = 'http://127.0.0.1:5173/auth/iracing/callback';
const KEY = randomBytes(32).toString('base64');
registerLogSecret('TOKEN_ENCRYPTION_KEY (read statements)', KEY);
const DAY = 86_400_000;
const NOW = new Date();

/** A harness on the synthetic world with a synced catalog and seasons, and one linked racer (a viewer). */
async function seededHarness(): Promise<{ h: Harness; token: string }> {
  const world = { seed: 11, scale: 0.1, now: NOW };
  const members = syntheticMembers(world);
  const h = await startHarness(
    { dataset: syntheticDataset(world), members, redirectUris: [REDIRECT], now: () => NOW },
    // Without the response cache: every query is executed, and its statements counted.
    { IRACING_REDIRECT_URIS: REDIRECT, TOKEN_ENCRYPTION_KEY: `k1:${KEY}`, GRAPHQL_CACHE: 'false' },
  );
  await syncCatalogAndSeasons(h);
  const [racer] = members.sample(2, { baseUrl: h.replica.url, now: NOW }).slice(1) as MemberRef[];
  // The racer's first sync writes what they own: over before anything is counted.
  const { token } = await linkRacer(h, racer.custId, REDIRECT, 'read statements');
  await idle(h);
  return { h, token };
}

const count = (withCount: boolean) => (withCount ? 'totalCount' : '');

const SESSIONS = (withCount: boolean) => `query($f: SessionFilter, $first: Int) {
  sessions(filter: $f, first: $first) { ${count(withCount)} edges { node { startTime
    raceWeek { series { name } layout { trackName } } } } } }`;

const SEASONS = (withCount: boolean) => `query($first: Int) {
  seasons(first: $first, filter: { active: true }) { ${count(withCount)} edges { node {
    id name series { name category } carClasses { id name }
    raceWeeks { id raceWeekNum startTime endTime layout { trackName configName }
      carRestrictions { car { name } powerAdjustPct weightPenaltyKg maxDryTireSets maxPctFuelFill }
      event { classes { position carClass { name } cars { name } } } } } } } }`;

const RACE_WEEKS = (withCount: boolean) => `query($f: RaceWeekFilter, $first: Int) {
  raceWeeks(filter: $f, first: $first) { ${count(withCount)} edges { node { id raceWeekNum startTime
    series { name category } layout { trackName configName } } } } }`;

const RACEABLE = (withCount: boolean) => `query($f: RaceableSessionFilter, $first: Int) {
  me { raceableSessions(filter: $f, first: $first) { ${count(withCount)} edges { node { localStartTime
    session { id startTime } myCars { id } } } } } }`;

interface Measured {
  statements: string[];
  /** The connection the query answered. */
  connection: Raw;
}

describe('statements of the GraphQL reads (seeded database)', () => {
  let h: Harness;
  let token: string;
  const window = { from: NOW.toISOString(), to: new Date(NOW.getTime() + 7 * DAY).toISOString() };
  const report: string[] = [];

  beforeAll(async () => {
    ({ h, token } = await seededHarness());
    // The racer owns every car and track with every licence: each week of the window is raceable, the page full.
    await h.db.query(
      `INSERT INTO sim_profile_car_ownership (cust_id, car_id)
       SELECT l.cust_id, c.car_id FROM iracing_link l CROSS JOIN sim_car c ON CONFLICT DO NOTHING`,
    );
    await h.db.query(
      `INSERT INTO sim_profile_track_ownership (cust_id, package_id)
       SELECT l.cust_id, t.package_id FROM iracing_link l CROSS JOIN sim_track t ON CONFLICT DO NOTHING`,
    );
    await h.db.query(
      `UPDATE sim_profile p SET licenses = (SELECT jsonb_agg(jsonb_build_object('category_id', c, 'license_level', 20))
         FROM generate_series(1, 6) c) FROM iracing_link l WHERE l.cust_id = p.cust_id`,
    );
  }, 300_000);
  afterAll(async () => {
    console.log(`SQL statements per query:\n${report.join('\n')}`);
    await h?.close();
  });

  /** Runs the query with a page of 5 and one of 50, and without totalCount; each on a fresh request. */
  async function measure(
    name: string,
    query: (withCount: boolean) => string,
    connectionOf: (data: Raw) => Raw,
    variables: Raw,
    key: string | null = null,
  ) {
    const run = async (withCount: boolean, first: number): Promise<Measured> => {
      let connection: Raw = {};
      const seen = await recordStatements(h, async () => {
        connection = connectionOf(await h.data<Raw>(query(withCount), { ...variables, first }, key));
      });
      return { statements: seen, connection };
    };
    const small = await run(true, 5);
    const large = await run(true, 50);
    const uncounted = await run(false, 50);
    const rows = (m: Measured) => (m.connection.edges as unknown[]).length;
    report.push(
      `  ${name}: ${large.statements.length} (page of 5: ${small.statements.length}; without totalCount: ` +
        `${uncounted.statements.length}; ${rows(small)} and ${rows(large)} rows)`,
    );
    for (const m of [small, large, uncounted])
      for (const sql of m.statements) expect(sql).not.toMatch(/\braw\b/i);
    return { small, large, uncounted, rows };
  }

  it('serves the session calendar and its count in one statement', async () => {
    const { small, large, uncounted, rows } = await measure('sessions', SESSIONS, (d) => d.sessions, {
      f: window,
    });
    expect([rows(small), rows(large)]).toEqual([5, 50]);
    expect(large.connection.totalCount).toBeGreaterThanOrEqual(50);
    for (const { node } of large.connection.edges as Raw[])
      expect(node.raceWeek).toEqual({
        series: { name: expect.any(String) },
        layout: { trackName: expect.any(String) },
      });
    // One statement builds the page's nodes as JSON (docs/architecture.md §6.11), with the count beside them
    // when selected.
    expect(large.statements).toHaveLength(1);
    expect(small.statements).toHaveLength(1);
    expect(uncounted.statements).toHaveLength(1);
    expect(large.statements[0]).toMatch(/count\(\*\)/);
    expect(uncounted.statements[0]).not.toMatch(/count\(/i);
  });

  it('serves the season graph in one statement, whatever the number of seasons', async () => {
    const { small, large, uncounted, rows } = await measure('seasons graph', SEASONS, (d) => d.seasons, {});
    expect(rows(large)).toBeGreaterThan(rows(small));
    const weeks = (large.connection.edges as Raw[]).flatMap((e) => e.node.raceWeeks as Raw[]);
    expect(weeks.filter((w) => w.event?.classes.length).length).toBeGreaterThan(0);
    expect(weeks.filter((w) => w.carRestrictions.length).length).toBeGreaterThan(0);
    // The whole graph, every level a correlated subquery of one statement, whatever the number of seasons.
    for (const m of [small, large, uncounted]) expect(m.statements).toHaveLength(1);
    expect(statementShapes(large.statements)).toEqual(statementShapes(small.statements));
    expect(uncounted.statements[0]).not.toMatch(/count\(/i);
  });

  it('serves race weeks with their series and layouts in one statement', async () => {
    const { small, large, uncounted, rows } = await measure('raceWeeks', RACE_WEEKS, (d) => d.raceWeeks, {
      f: window,
    });
    expect(rows(large)).toBeGreaterThan(rows(small));
    // The page with its series and layouts, and the count when selected: one statement.
    for (const m of [small, large, uncounted]) expect(m.statements).toHaveLength(1);
    expect(uncounted.statements[0]).not.toMatch(/count\(/i);
  });

  it("serves the viewer's raceable sessions in a number of statements bounded by its depth", async () => {
    const { small, large, uncounted, rows } = await measure(
      'me.raceableSessions',
      RACEABLE,
      (d) => d.me.raceableSessions,
      { f: window },
      token,
    );
    expect([rows(small), rows(large)]).toEqual([5, 50]);
    expect(statementShapes(large.statements)).toEqual(statementShapes(small.statements));
    expect(statementShapes(uncounted.statements)).toEqual(
      statementShapes(large.statements).filter((sql) => !/COUNT\(/i.test(sql)),
    );
    // The viewer token, the week eligibility, the settings, the page, the viewer's cars; the count when selected.
    expect(large.statements.length).toBeLessThanOrEqual(6);
  });
});
