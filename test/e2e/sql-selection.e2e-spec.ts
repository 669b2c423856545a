// Selection-compiled reads (docs/architecture.md §6.11) against the resolvers they stand in for, on the synthetic
// world: every query is asked twice of the same running application, once compiled to one SQL statement and once
// through the resolvers (SqlSelection switched off), and the two answers must be equal: fields, relations and
// their order, aliases, fragments, @skip/@include, cursors and pages, counts, errors. A selection the compiler
// does not cover is answered by the resolvers, which the statements it sends show.
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { SqlSelection } from '../../src/core/graphql/sql-selection.js';
import { startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { syncCatalogAndSeasons } from '../support/linked.js';
import { idle, recordStatements } from '../support/statements.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const NOW = new Date();
const HOUR = 3_600_000;

describe('selection-compiled reads (synthetic world)', () => {
  let h: Harness;
  let sql: SqlSelection;
  const window = { from: new Date(NOW.getTime() - 2 * HOUR), to: new Date(NOW.getTime() + 22 * HOUR) };

  /** The answer (data and errors) and the statements sent, compiled or through the resolvers. */
  const ask = async (compiled: boolean, query: string, variables: Raw = {}) => {
    sql.enabled = compiled;
    let answer: Raw = {};
    const statements = await recordStatements(h, async () => {
      answer = await h.gql(query, variables);
    });
    sql.enabled = true;
    return { answer, statements };
  };

  /** Asks both ways; expects equal answers, and returns the compiled one's. */
  const both = async (query: string, variables: Raw = {}) => {
    const compiled = await ask(true, query, variables);
    const resolved = await ask(false, query, variables);
    expect(compiled.answer).toEqual(resolved.answer);
    return { ...compiled, resolvedStatements: resolved.statements };
  };

  beforeAll(async () => {
    h = await startHarness(
      { dataset: syntheticDataset({ seed: 5, scale: 0.1, now: NOW }), now: () => NOW },
      { GRAPHQL_CACHE: 'false' },
    );
    sql = h.app.get(SqlSelection);
    await syncCatalogAndSeasons(h);
    // The seasons sync's follow-ups (forecasts) over before any statement is counted.
    await idle(h);
  }, 180_000);
  afterAll(async () => {
    await h?.close();
  });

  it('answers the calendar page and its count in one statement, as the resolvers do', async () => {
    const q = `query($f: SessionFilter, $n: Int) { sessions(filter: $f, first: $n) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id startTime endTime sessionMinutes predicted superSession entryCount
        raceWeek { id weekNumber raceWeekNum startTime carClassIds carIds
          series { id name shortName category official } layout { id trackName configName lengthMiles trackTypes }
          season { id name year quarter } } } } } }`;
    const { answer, statements, resolvedStatements } = await both(q, { f: window, n: 40 });
    const page = answer.data.sessions;
    expect(page.edges).toHaveLength(40);
    expect(page.totalCount).toBeGreaterThan(40);
    expect(page.edges[0].node.raceWeek.series.name).toEqual(expect.any(String));
    expect(statements).toHaveLength(1);
    expect(resolvedStatements.length).toBeGreaterThan(1);
  });

  it('walks every page by its cursors the same way', async () => {
    const q = `query($f: SessionFilter, $a: String) { sessions(filter: $f, first: 100, after: $a) {
      pageInfo { hasNextPage endCursor } edges { cursor node { id startTime } } } }`;
    let after: string | null = null;
    let pages = 0;
    const seen = new Set<number>();
    do {
      const { answer } = await both(q, { f: window, a: after });
      const c = answer.data.sessions;
      for (const e of c.edges) seen.add(e.node.id);
      after = c.pageInfo.hasNextPage ? c.pageInfo.endCursor : null;
      pages++;
    } while (after && pages < 50);
    expect(pages).toBeGreaterThan(1);
    const total = (
      await both(`query($f: SessionFilter) { sessions(filter: $f) { totalCount } }`, { f: window })
    ).answer.data.sessions.totalCount;
    expect(seen.size).toBe(total);
  });

  it('keeps aliases, fragments, @skip and @include, and __typename', async () => {
    const q = `query($f: SessionFilter, $yes: Boolean!, $no: Boolean!) {
      a: sessions(filter: $f, first: 7) { n: totalCount edges { c: cursor node { ...S k: id } } }
      b: sessions(filter: $f, first: 3) { edges { node { __typename start: startTime
        raceWeek @include(if: $yes) { ... on RaceWeek { num: raceWeekNum series @skip(if: $no) { name } } }
        event @skip(if: $yes) { id } } } } }
      fragment S on Session { id startTime raceWeek { week: weekNumber layout { __typename trackName } } }`;
    const { answer, statements } = await both(q, { f: window, yes: true, no: false });
    expect(answer.data.a.edges[0].node).toEqual({
      id: expect.any(Number),
      k: expect.any(Number),
      startTime: expect.any(String),
      raceWeek: {
        week: expect.any(Number),
        layout: { __typename: 'TrackLayout', trackName: expect.any(String) },
      },
    });
    expect(answer.data.b.edges[0].node).toEqual({
      __typename: 'Session',
      start: expect.any(String),
      raceWeek: { num: expect.any(Number), series: { name: expect.any(String) } },
    });
    expect(statements).toHaveLength(2);
  });

  it('answers the season graph, event classes and their cars included, in one statement', async () => {
    const q = `query($n: Int) { seasons(first: $n, filter: { active: true }) { totalCount edges { node {
      id name startDate multiclass carClassIds series { name category } carClasses { id name cars { id name } }
      raceWeeks { id raceWeekNum startTime endTime carIds layout { trackName configName track { name } }
        carRestrictions { carId car { name carModel { make model } } powerAdjustPct
          weightPenaltyKg maxDryTireSets maxPctFuelFill }
        event { id kind layout { trackName } classes { position carClassId carClass { name } cars { id name } } } }
    } } } }`;
    const { answer, statements } = await both(q, { n: 25 });
    expect(answer.errors).toBeUndefined();
    const weeks = (answer.data.seasons.edges as Raw[]).flatMap((e) => e.node.raceWeeks as Raw[]);
    expect(weeks.some((w) => w.carRestrictions.length)).toBe(true);
    expect(weeks.some((w) => w.event?.classes.some((c: Raw) => c.cars.length))).toBe(true);
    expect(statements).toHaveLength(1);
  });

  it('filters race weeks as the resolvers do, and refuses the same bad arguments', async () => {
    const q = `query($f: RaceWeekFilter) { raceWeeks(filter: $f, first: 30) { totalCount
      edges { node { id startTime layout { trackName } series { id name } } } } }`;
    const { answer } = await both(q, { f: { ...window, rainPossible: false } });
    expect(answer.data.raceWeeks.edges.length).toBeGreaterThan(0);
    const [some] = answer.data.raceWeeks.edges as Raw[];
    const bySeries = await both(q, { f: { ...window, seriesIds: [some.node.series.id] } });
    expect(bySeries.answer.data.raceWeeks.totalCount).toBeGreaterThan(0);
    const bad = await both(`{ sessions(first: 5, after: "bm90IGEgY3Vyc29y") { edges { node { id } } } }`);
    expect(bad.answer.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    const forged = Buffer.from(JSON.stringify(['x', 'not a time', 1])).toString('base64url');
    const wrong = await both(`{ sessions(first: 5, after: "${forged}") { edges { node { id } } } }`);
    expect(wrong.answer.errors?.[0].message).toMatch(/not a cursor of this list/);
  });

  it('reads the data again when the same query comes back (its statement is kept, not its answer)', async () => {
    const q = `query($f: RaceWeekFilter) { raceWeeks(filter: $f, first: 3) { edges { node { id series { id name } } } } }`;
    const first = await both(q, { f: window });
    const [edge] = first.answer.data.raceWeeks.edges as Raw[];
    const { id, name } = edge.node.series;
    try {
      await h.db.query('UPDATE series SET name = $2 WHERE series_id = $1', [id, `${name} (renamed)`]);
      const again = await both(q, { f: window });
      expect(again.answer.data.raceWeeks.edges[0].node.series.name).toBe(`${name} (renamed)`);
      expect(again.statements).toHaveLength(1);
    } finally {
      await h.db.query('UPDATE series SET name = $2 WHERE series_id = $1', [id, name]);
    }
  });

  it('leaves a selection with a computed field to the resolvers', async () => {
    const q = `query($f: SessionFilter) { sessions(filter: $f, first: 5) { edges { node { id
      raceWeek { series { name allowedLicenses { groupName minLicenseLevel } } forecastSummary { maxPrecipChancePct } }
    } } } }`;
    const { answer, statements } = await both(q, { f: window });
    expect(answer.data.sessions.edges).toHaveLength(5);
    // The resolvers' statements (the page joined to its weeks, series and layouts primes the loaders): none
    // builds JSON.
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.some((s) => s.includes('json_build_object'))).toBe(false);
  });
});
