// Bad input on the GraphQL side (docs/architecture.md §6.3, §6.4): abusive or malformed arguments, cursors, dates,
// ids, enums, strings, lists, depth, width, aliases, request bodies and mutation inputs. Each is answered by one
// clear error (the project's codes, a message that names what is wrong), none leaks a stack or SQL, none creates a
// SyncRun, and the server answers a normal query afterwards.
import request from 'supertest';
import { recordedDataset } from '../../offline/datasets.js';
import { ADMIN_KEY, startHarness } from '../support/harness.js';
import type { GqlResult, Harness } from '../support/harness.js';
import { SAMPLES_DIR } from '../support/test-env.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Answer {
  status: number;
  body: GqlResult & Raw;
  text: string;
}

/** Words that only appear when internals leak: stacks, SQL, driver and ORM errors, file paths. */
const LEAKS =
  /\bat [\w.<>]+ \(|node_modules|\/src\/|\.ts:\d+|QueryFailedError|TypeORM|\bSELECT\b|\bINSERT\b|\bWHERE\b|invalid input syntax|syntax error at|relation "|column "|postgres/i;

describe('bad input: GraphQL arguments and requests (end to end)', () => {
  let h: Harness;

  const post = async (body: unknown, key: string | null = null): Promise<Answer> => {
    const req = request(h.app.getHttpServer()).post('/graphql').set('content-type', 'application/json');
    if (key !== null) req.set('authorization', `Bearer ${key}`);
    const res = await req.send(body as object);
    return { status: res.status, body: res.body as Answer['body'], text: res.text };
  };
  const ask = (query: string, variables: Raw = {}, key: string | null = null) =>
    post({ query, variables }, key);
  const syncRunCount = async () =>
    Number(((await h.db.query('SELECT count(*)::int AS n FROM sync_run')) as Raw[])[0].n);

  /**
   * The answer is refused as a whole (no data for the failing field), with one of the codes and a message that
   * matches; no internals leak, the HTTP status is never a 5xx.
   */
  const refused = (a: Answer, codes: string[], message: RegExp) => {
    expect(a.status).toBeLessThan(500);
    expect(a.text).not.toMatch(LEAKS);
    const errors = a.body.errors ?? [];
    expect(errors.length).toBeGreaterThan(0);
    const e = errors[0];
    expect(codes).toContain(e.extensions?.code);
    expect(e.message).toMatch(message);
    for (const err of errors) {
      expect(err.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
      expect(Object.keys(err.extensions ?? {})).not.toContain('stacktrace');
      expect(Object.keys(err.extensions ?? {})).not.toContain('exception');
    }
    return e;
  };
  const INPUT = ['BAD_USER_INPUT'];
  const INVALID = ['GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT'];

  let firstCarCursor = '';
  let carCount = 0;

  beforeAll(async () => {
    h = await startHarness({ dataset: recordedDataset(SAMPLES_DIR) });
    const { syncCatalog } = await h.data<Raw>(`mutation { syncCatalog { id } }`, {}, ADMIN_KEY);
    const run = await h.waitForRun(syncCatalog.id as number);
    expect(run.status).toBe('SUCCEEDED');
    const page = await h.data<Raw>(`{ cars(first: 2) { totalCount pageInfo { endCursor } } }`);
    firstCarCursor = page.cars.pageInfo.endCursor as string;
    carCount = page.cars.totalCount as number;
    expect(carCount).toBeGreaterThan(2);
  });
  afterAll(async () => {
    await h?.close();
  });
  // After every refusal the server still answers a normal query, with the data intact.
  afterEach(async () => {
    const ok = await h.data<Raw>(`{ cars(first: 1) { totalCount edges { node { id name } } } }`);
    expect(ok.cars.totalCount).toBe(carCount);
    expect(ok.cars.edges).toHaveLength(1);
  });

  // --- page sizes -------------------------------------------------------------------------------------------

  it('refuses a negative `first`', async () => {
    refused(await ask(`{ cars(first: -1) { totalCount } }`), INPUT, /first must not be less than 1/);
  });

  it('refuses `first: 0`', async () => {
    refused(await ask(`{ seasons(first: 0) { totalCount } }`), INPUT, /first must not be less than 1/);
  });

  it('refuses a `first` over the page-size cap', async () => {
    refused(await ask(`{ tracks(first: 101) { totalCount } }`), INPUT, /first must not be greater than 100/);
  });

  it('refuses a `first` beyond 32 bits, as a literal and as a variable', async () => {
    refused(
      await ask(`{ cars(first: 2147483648) { totalCount } }`),
      INVALID,
      /Int cannot represent non 32-bit signed integer value: 2147483648/,
    );
    refused(
      await ask(`query($n: Int) { cars(first: $n) { totalCount } }`, { n: 2 ** 53 }),
      INPUT,
      /Variable "\$n" got invalid value 9007199254740992.*32-bit/,
    );
  });

  it('refuses a fractional or textual `first`', async () => {
    refused(
      await ask(`query($n: Int) { cars(first: $n) { totalCount } }`, { n: 2.5 }),
      INPUT,
      /Variable "\$n" got invalid value 2\.5; Int cannot represent non-integer value/,
    );
    refused(
      await ask(`{ cars(first: "10") { totalCount } }`),
      INVALID,
      /Int cannot represent non-integer value: "10"/,
    );
  });

  // --- cursors ----------------------------------------------------------------------------------------------

  it('refuses a cursor that is not base64 JSON', async () => {
    refused(
      await ask(`{ cars(after: "%%%not-a-cursor%%%") { totalCount } }`),
      INPUT,
      /"after" is not a cursor of this list/,
    );
  });

  it('refuses a cursor of the right encoding but the wrong shape', async () => {
    const wrong = Buffer.from(JSON.stringify({ id: 1, admin: true })).toString('base64url');
    refused(
      await ask(`query($a: String) { cars(after: $a) { totalCount } }`, { a: wrong }),
      INPUT,
      /"after"/,
    );
    const deep = Buffer.from(JSON.stringify([[1], { a: 2 }])).toString('base64url');
    refused(
      await ask(`query($a: String) { tracks(after: $a) { totalCount } }`, { a: deep }),
      INPUT,
      /"after"/,
    );
  });

  it("refuses another list's cursor (a cars cursor on sync runs, sessions and seasons)", async () => {
    for (const list of ['syncRuns', 'sessions', 'seasons', 'carClasses']) {
      const a = await ask(`query($a: String) { ${list}(after: $a) { totalCount } }`, { a: firstCarCursor });
      refused(a, INPUT, /"after" is not a cursor of this list/);
    }
    // The cursor itself is fine where it came from.
    const next = await h.data<Raw>(
      `query($a: String) { cars(first: 1, after: $a) { edges { node { id } } } }`,
      {
        a: firstCarCursor,
      },
    );
    expect(next.cars.edges).toHaveLength(1);
  });

  it('refuses a forged cursor whose values do not fit the sort key', async () => {
    const runsCursor = (await h.data<Raw>(`{ syncRuns(first: 1) { pageInfo { endCursor } } }`)).syncRuns
      .pageInfo.endCursor as string;
    const [tag] = JSON.parse(Buffer.from(runsCursor, 'base64url').toString()) as unknown[];
    for (const values of [
      [tag, 'drop table', 1],
      [tag, 1e300, 1],
      [tag, 1, 'x'],
    ]) {
      const forged = Buffer.from(JSON.stringify(values)).toString('base64url');
      refused(
        await ask(`query($a: String) { syncRuns(after: $a) { totalCount } }`, { a: forged }),
        INPUT,
        /"after" is not a cursor of this list/,
      );
    }
  });

  it('refuses an oversized cursor', async () => {
    refused(
      await ask(`query($a: String) { cars(after: $a) { totalCount } }`, { a: 'A'.repeat(5000) }),
      INPUT,
      /after must be shorter than or equal to 500 characters/,
    );
  });

  // --- dates ------------------------------------------------------------------------------------------------

  it('refuses invalid DateTime strings in the calendar and results filters', async () => {
    for (const bad of [
      'not-a-date',
      '2026-13-45T00:00:00Z',
      '2026-02-10T25:61:00Z',
      '',
      '+275761-01-01T00:00:00Z',
    ]) {
      refused(
        await ask(`query($f: DateTime) { sessions(filter: { from: $f }) { totalCount } }`, { f: bad }),
        INPUT,
        /^filter\.from must be an ISO-8601 date-time/,
      );
    }
    refused(
      await ask(`{ raceWeeks(filter: { to: "yesterday" }) { totalCount } }`),
      INPUT,
      /^filter\.to must be an ISO-8601 date-time/,
    );
    refused(
      await ask(`{ results(filter: { from: "2026-05-01 at noon" }) { totalCount } }`),
      INPUT,
      /^filter\.from must be an ISO-8601 date-time/,
    );
    refused(
      await ask(`{ raceWeek(id: 1) { event { instances(to: "soon") { id } } } }`),
      ['BAD_USER_INPUT', 'NOT_FOUND'],
      /to must be an ISO-8601 date-time|RaceWeek 1 was not found/,
    );
  });

  it('refuses a date beyond the year 9999 (DateTime is ISO 8601 with four-digit years)', async () => {
    refused(
      await ask(`query($f: DateTime) { sessions(filter: { from: $f }) { totalCount } }`, {
        f: '+200000-01-01T00:00:00Z',
      }),
      INPUT,
      /DateTime|date-time/,
    );
  });

  it('refuses `from` after `to`', async () => {
    refused(
      await ask(
        `{ sessions(filter: { from: "2026-06-01T00:00:00Z", to: "2026-05-01T00:00:00Z" }) { totalCount } }`,
      ),
      INPUT,
      /"from" \(2026-06-01T00:00:00.000Z\) must be before "to" \(2026-05-01T00:00:00.000Z\)/,
    );
    refused(
      await ask(
        `{ results(filter: { from: "2026-06-01T00:00:00Z", to: "2026-05-01T00:00:00Z" }) { totalCount } }`,
      ),
      INPUT,
      /"from".*must be before "to"/,
    );
  });

  // --- ids --------------------------------------------------------------------------------------------------

  it('answers negative, zero and unknown ids with NOT_FOUND naming the id', async () => {
    refused(await ask(`{ car(id: -1) { name } }`), ['NOT_FOUND', 'BAD_USER_INPUT'], /-1/);
    refused(await ask(`{ season(id: 0) { name } }`), ['NOT_FOUND', 'BAD_USER_INPUT'], /\b0\b/);
    refused(await ask(`{ syncRun(id: 2147483647) { id } }`), ['NOT_FOUND'], /2147483647/);
    refused(await ask(`{ member(custId: -42) { displayName } }`), ['NOT_FOUND', 'BAD_USER_INPUT'], /-42/);
  });

  it('refuses huge, fractional and textual ids', async () => {
    refused(await ask(`{ car(id: 99999999999) { name } }`), INVALID, /32-bit.*99999999999/);
    refused(await ask(`{ track(id: 1.5) { name } }`), INVALID, /non-integer value: 1\.5/);
    refused(
      await ask(`query($id: Int!) { subsession(id: $id) { id } }`, { id: '1 OR 1=1' }),
      INVALID,
      /Variable "\$id" got invalid value "1 OR 1=1"/,
    );
    refused(await ask(`query($id: Int!) { raceWeek(id: $id) { id } }`, {}), INVALID, /"\$id".*required/);
  });

  // --- enums ------------------------------------------------------------------------------------------------

  it('refuses unknown enum values, literal and in variables', async () => {
    refused(
      await ask(`{ cars(filter: { category: HOVERCRAFT }) { totalCount } }`),
      INVALID,
      /"HOVERCRAFT".*"Category"/,
    );
    refused(
      await ask(`{ tracks(filter: { category: "road" }) { totalCount } }`),
      INVALID,
      /Category.*"road"|"road".*Category/,
    );
    refused(
      await ask(`query($s: SyncStatus) { syncRuns(filter: { status: $s }) { totalCount } }`, { s: 'DONE' }),
      INVALID,
      /Variable "\$s" got invalid value "DONE".*SyncStatus/,
    );
  });

  // --- strings and lists ------------------------------------------------------------------------------------

  it('refuses a search string over the limit (101 characters and 90 KB)', async () => {
    refused(
      await ask(`query($s: String) { cars(filter: { search: $s }) { totalCount } }`, { s: 'x'.repeat(101) }),
      INPUT,
      /filter\.search must be shorter than or equal to 100 characters/,
    );
    refused(
      await ask(`query($s: String) { seriesList(filter: { search: $s }) { totalCount } }`, {
        s: 'é'.repeat(45_000),
      }),
      INPUT,
      /filter\.search must be shorter than or equal to 100 characters/,
    );
  });

  it('refuses a request body over the size limit (a 1 MB search string) without a crash', async () => {
    const a = await ask(`query($s: String) { cars(filter: { search: $s }) { totalCount } }`, {
      s: 'x'.repeat(1_000_000),
    });
    expect(a.status).toBe(413);
    expect(a.text).not.toMatch(LEAKS);
    expect(a.text).toMatch(/too large/i);
  });

  it('refuses long id lists (201 series, and 100 000 in one body)', async () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    refused(
      await ask(`query($ids: [Int!]) { sessions(filter: { seriesIds: $ids }) { totalCount } }`, {
        ids: ids(201),
      }),
      INPUT,
      /filter\.seriesIds must contain no more than 200 elements/,
    );
    const huge = await ask(`query($ids: [Int!]) { raceWeeks(filter: { carIds: $ids }) { totalCount } }`, {
      ids: ids(100_000),
    });
    expect(huge.status).toBe(413);
    expect(huge.text).not.toMatch(LEAKS);
    refused(
      await ask(`query($ids: [Int!]) { sessions(filter: { trackIds: $ids }) { totalCount } }`, {
        ids: [1, -3],
      }),
      INPUT,
      /^filter\.trackIds must list ids of 1 or more/,
    );
  });

  // --- shape of the operation -------------------------------------------------------------------------------

  it('refuses a query nested deeper than the limit', async () => {
    let sel = 'id';
    for (let i = 0; i < 8; i++) sel = `cars { classes { ${sel} } }`;
    refused(await ask(`{ carClass(id: 1) { ${sel} } }`), INPUT, /Query depth \d+ exceeds the limit of 12/);
    // Through fragments too.
    refused(
      await ask(
        `query { carClass(id: 1) { ...A } }
         fragment A on CarClass { cars { classes { cars { classes { cars { classes { ...B } } } } } } }
         fragment B on CarClass { cars { classes { cars { classes { cars { classes { id } } } } } } }`,
      ),
      INPUT,
      /Query depth \d+ exceeds the limit of 12/,
    );
  });

  it('refuses nesting deep enough to overflow the parser (2000 levels) before parsing it', async () => {
    let sel = 'id';
    for (let i = 0; i < 1000; i++) sel = `classes { cars { ${sel} } }`;
    refused(await ask(`{ carClass(id: 1) { ${sel} } }`), INPUT, /Query nesting \d+ exceeds the limit of 100/);
    // Through a GET request too (120 levels: a URL has room for no more).
    let short = 'id';
    for (let i = 0; i < 60; i++) short = `classes { cars { ${short} } }`;
    const get = await request(h.app.getHttpServer())
      .get('/graphql')
      .set('apollo-require-preflight', 'true')
      .query({ query: `{ carClass(id: 1) { ${short} } }` });
    expect(get.status).toBe(400);
    expect(get.text).toMatch(/Query nesting \d+ exceeds the limit of 100/);
    // Nested values (lists of lists) too.
    refused(
      await ask(`{ cars(filter: { search: ${'['.repeat(3000)}"x"${']'.repeat(3000)} }) { totalCount } }`),
      INPUT,
      /Query nesting 3\d+ exceeds the limit of 100/,
    );
  });

  it('refuses a wide, complex query (every list at its largest)', async () => {
    refused(
      await ask(
        `{ seasons(first: 100) { edges { node { raceWeeks { carRestrictions { car { classes { cars { id name } } } }
            forecast { airTempC } event { classes { cars { classes { name } } } } } } } } }`,
      ),
      INPUT,
      /Query complexity \d+ exceeds the limit of 500000/,
    );
  });

  it('refuses aliases that multiply an expensive field past the complexity limit (50 aliased pages)', async () => {
    const fields = Array.from(
      { length: 50 },
      (_, i) => `a${i}: cars(first: 100) { edges { node { id classes { cars { name } } } } }`,
    );
    refused(await ask(`{ ${fields.join('\n')} }`), INPUT, /Query complexity \d+ exceeds the limit of 500000/);
  });

  it('refuses aliases that multiply root fields (200 aliased pages, 300 aliased car lookups)', async () => {
    const pages = Array.from({ length: 200 }, (_, i) => `a${i}: cars(first: 100) { edges { node { id } } }`);
    refused(
      await ask(`{ ${pages.join('\n')} }`),
      INPUT,
      /Query selects 200 root fields \(aliases included\), more than the limit of 50/,
    );
    const lookups = Array.from({ length: 300 }, (_, i) => `c${i}: car(id: ${i + 1}) { name }`);
    refused(
      await ask(`query { ...F } fragment F on Query { ${lookups.join('\n')} }`),
      INPUT,
      /Query selects 300 root fields \(aliases included\), more than the limit of 50/,
    );
    // Within the limit, aliases are answered.
    const few = Array.from({ length: 3 }, (_, i) => `p${i}: cars(first: 1) { totalCount }`);
    const ok = await h.data<Raw>(`{ ${few.join(' ')} }`);
    expect(Object.keys(ok)).toEqual(['p0', 'p1', 'p2']);
  });

  it('refuses batched requests and bodies that are not a GraphQL request', async () => {
    const batch = await post([{ query: '{ cars { totalCount } }' }, { query: '{ cars { totalCount } }' }]);
    expect(batch.status).toBe(400);
    expect(batch.text).toMatch(/batch/i);
    expect(batch.text).not.toMatch(LEAKS);
    const noQuery = await post({ variables: { a: 1 } });
    expect(noQuery.status).toBe(400);
    expect(noQuery.text).toMatch(/query/i);
    const raw = await request(h.app.getHttpServer())
      .post('/graphql')
      .set('content-type', 'application/json')
      .send('{"query": "{ cars { totalCount } }"'); // cut short
    expect(raw.status).toBe(400);
    expect(raw.text).not.toMatch(LEAKS);
  });

  it('refuses a syntax error, an unknown field and an unknown argument', async () => {
    refused(await ask(`{ cars(first: ) { totalCount } }`), ['GRAPHQL_PARSE_FAILED'], /Syntax Error/);
    refused(
      await ask(`{ cars { totalCount secret } }`),
      ['GRAPHQL_VALIDATION_FAILED'],
      /Cannot query field "secret" on type "CarConnection"/,
    );
    refused(
      await ask(`{ cars(last: 5) { totalCount } }`),
      ['GRAPHQL_VALIDATION_FAILED'],
      /Unknown argument "last" on field "Query\.cars"/,
    );
  });

  // --- mutations with the admin key: refused, and no SyncRun created ----------------------------------------

  it('refuses invalid sync inputs with the admin key, creating no SyncRun', async () => {
    const before = await syncRunCount();
    const cases: [string, Raw, RegExp][] = [
      [
        `mutation($i: SyncSeasonsInput) { syncSeasons(input: $i) { id } }`,
        { i: { seasonYear: 2026, seasonQuarter: 7 } },
        /^seasonQuarter must not be greater than 4/,
      ],
      [
        `mutation($i: SyncSeasonsInput) { syncSeasons(input: $i) { id } }`,
        { i: { limit: -1 } },
        /^limit must not be less than 1/,
      ],
      [
        `mutation($i: SyncSeasonsInput) { syncSeasons(input: $i) { id } }`,
        { i: { seasonQuarter: 2 } },
        /seasonYear and seasonQuarter go together/,
      ],
      [
        `mutation($i: SyncSeasonsInput) { syncSeasons(input: $i) { id } }`,
        { i: { seriesIds: [5, 0] } },
        /^seriesIds must list ids of 1 or more/,
      ],
      [`mutation { syncSubsession(subsessionId: -1) { id } }`, {}, /subsessionId must be a positive integer/],
      [`mutation { syncMemberRecentRaces(custId: 0) { id } }`, {}, /custId must be a positive integer/],
      [
        `mutation($i: SyncSeriesResultsInput!) { syncSeriesResults(input: $i) { id } }`,
        { i: { seasonId: 1, raceWeekNum: 99 } },
        /^raceWeekNum must not be greater than 52/,
      ],
      [
        `mutation($i: RefreshForecastsInput) { refreshForecasts(input: $i) { id } }`,
        { i: { raceWeekIds: Array.from({ length: 5001 }, (_, k) => k + 1) } },
        /^raceWeekIds must contain no more than 5000 elements/,
      ],
    ];
    for (const [query, variables, message] of cases)
      refused(await ask(query, variables, ADMIN_KEY), INPUT, message);
    // Refused by the schema itself: a string for a boolean, an unknown input field.
    refused(
      await ask(`mutation { syncCatalog(input: { dryRun: "yes" }) { id } }`, {}, ADMIN_KEY),
      INVALID,
      /Boolean cannot represent a non boolean value: "yes"/,
    );
    refused(
      await ask(`mutation { syncCatalog(input: { everything: true }) { id } }`, {}, ADMIN_KEY),
      INVALID,
      /Field "everything" is not defined by type "SyncCatalogInput"/,
    );
    expect(await syncRunCount()).toBe(before);
  });
});
