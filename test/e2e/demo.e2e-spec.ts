// `npm run demo` end to end (its code path in this process, on the test database and Redis): local defaults with
// the offline replica, a full sync of everything through the queues with progress printed, two racers linking
// their own iRacing accounts through the API (docs/architecture.md §6.6), then a served, populated graph; a second
// start reuses the data and the racers' viewer tokens. No token is printed (docs/architecture.md §6.7).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { startDemo } from '../../offline/demo.js';
import type { Demo } from '../../offline/demo.js';
import { registerLogSecret } from '../support/harness.js';
import { TEST_REDIS_URL } from '../support/test-env.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('npm run demo', () => {
  const env = {
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: `${process.env.QUEUE_PREFIX ?? 'simlane-test'}-demo-${Math.random().toString(36).slice(2, 8)}`,
    PORT: '0',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'simlane-demo-')),
    IRACING_OFFLINE: 'true',
    IRACING_OFFLINE_SCALE: '0.05',
    SCHEDULER_ENABLED: 'false',
    IRACING_RETRY_BASE_MS: '20',
  };
  let demo: Demo | undefined;
  beforeAll(async () => {
    // A fresh machine: no rows (and no runs queued) left by the other test files in this database.
    const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    const tables = (
      await db.query<{ t: string }>(
        `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'typeorm_migrations'`,
      )
    ).rows.map((r) => `"${r.t}"`);
    if (tables.length) await db.query(`TRUNCATE ${tables.join(', ')} RESTART IDENTITY CASCADE`);
    await db.end();
  });
  afterAll(async () => {
    await demo?.close();
  });

  /** A GraphQL request (a query, or a whole request body); GraphQL errors throw. */
  const gql = async (url: string, query: string | Raw, bearer?: string) => {
    const req = request(url).post('/graphql').set('content-type', 'application/json');
    if (bearer) req.set('authorization', `Bearer ${bearer}`);
    const body = (await req.send(typeof query === 'string' ? { query } : query)).body as {
      data?: Raw;
      errors?: unknown;
    };
    if (body.errors || !body.data) throw new Error(JSON.stringify(body.errors ?? body));
    return body.data;
  };

  const tokensFile = join(env.DATA_DIR, 'viewer-tokens');
  /** The racers of the viewer-tokens file, each token registered with the end-of-run log scan. */
  const storedRacers = () => {
    const lines = readFileSync(tokensFile, 'utf8').split('\n').filter(Boolean);
    return lines.map((line) => {
      const parts = line.split(' ');
      const token = parts[parts.length - 1];
      registerLogSecret('a demo viewer token', token);
      return { custId: Number(parts[0]), displayName: parts.slice(1, -1).join(' '), token };
    });
  };
  /**
   * Every query the demo printed for the linked racers, run as each of them against the running demo: the Sandbox
   * ones (a line each) with every racer's viewer token, and each racer's curl example as a shell runs it (its
   * TOKEN= line through sh, picking that racer's token from the file; its -d body as curl sends it). Each answers
   * without a GraphQL error, for the racer whose token it carries.
   */
  const runPrintedExamples = async (
    url: string,
    out: string,
    racers: { custId: number; displayName: string; token: string }[],
  ) => {
    const queries = [...out.matchAll(/^ {2}(\{ me \{.*\})$/gm)].map((m) => m[1]);
    expect(queries).toEqual([
      expect.stringMatching(/ licenses \{ [^}]*\biRating\b/),
      expect.stringMatching(
        / ratingHistory\(category: \w+, kind: IRATING\) \{ day value \}.* careerStats \{/,
      ),
    ]);
    for (const query of queries)
      for (const r of racers) {
        const { me } = await gql(url, query, r.token);
        expect(me.custId).toBe(r.custId);
      }
    const curls = [
      ...out.matchAll(
        /^As (.+) \(cust_id (\d+)\):\n\n {2}(TOKEN=.*)\n {2}curl -s (\S+)\/graphql [^\n]*\\\n {4}-d '([^']*)'$/gm,
      ),
    ];
    expect(curls.map((m) => ({ displayName: m[1], custId: Number(m[2]) }))).toEqual(
      racers.map(({ custId, displayName }) => ({ custId, displayName })),
    );
    for (const [, , custId, tokenLine, curlUrl, body] of curls) {
      const racer = racers.find((r) => r.custId === Number(custId))!;
      const token = execFileSync('sh', ['-c', `${tokenLine}\nprintf '%s' "$TOKEN"`], { encoding: 'utf8' });
      expect(token === racer.token).toBe(true); // not toBe(racer.token): a failure would print the token
      expect(curlUrl).toBe(url);
      const { me } = await gql(url, JSON.parse(body) as Raw, token);
      expect(me).toMatchObject({ custId: racer.custId, member: { displayName: racer.displayName } });
      expect(me.licenses.length).toBeGreaterThan(0);
    }
  };
  const ME = `{ me { custId iracingLink { status } member { displayName } ownedCars { name } ownedTracks { name } } }`;
  const mode = (file: string) => statSync(file).mode & 0o777;

  it('syncs everything through the queues, showing progress, then serves a populated graph', async () => {
    const lines: string[] = [];
    demo = await startDemo({ fresh: true, env, print: (l) => lines.push(l) });
    expect(demo.synced).toBe(true);
    const out = lines.join('\n');
    for (const label of [
      'catalog',
      'series, seasons',
      'weather forecasts',
      'race guide',
      'owned cars',
      'results',
    ])
      expect(out).toMatch(new RegExp(`\\] SUCCEEDED +[^\\n]*${label}`));
    // Progress is shown in units: every season of the seasons sync done at the end.
    expect(out).toMatch(/\[#{24}\] SUCCEEDED +series, seasons, race weeks, sessions (\d+)\/\1\n/);
    expect(out).toMatch(/\[#{24}\] SUCCEEDED +weather forecasts (\d+)\/\1\n/);
    expect(out).toMatch(/Ready: \d+ seasons/);
    expect(out).toMatch(/GraphQL and Apollo Sandbox: http:\/\/localhost:\d+\/graphql/);

    // Linking is on by local default: the callback of the demo's own server, a key made once in DATA_DIR.
    expect(demo.config.iracingRedirectUris).toEqual([`${demo.url}/auth/iracing/callback`]);
    const keyFile = join(env.DATA_DIR, 'token-key');
    expect(mode(keyFile)).toBe(0o600);
    const key = readFileSync(keyFile, 'utf8').trim();
    registerLogSecret('the demo TOKEN_ENCRYPTION_KEY', key.slice(key.indexOf(':') + 1));
    expect(key).toMatch(/^local:[A-Za-z0-9+/]{43}=$/);

    // Two racers linked through the API, each first sync done, their tokens in a file of their own only.
    expect(existsSync(tokensFile)).toBe(true);
    expect(mode(tokensFile)).toBe(0o600);
    const racers = storedRacers();
    expect(racers).toHaveLength(2);
    expect(new Set(racers.map((r) => r.custId)).size).toBe(2);
    expect(demo.racers).toEqual(racers.map(({ custId, displayName }) => ({ custId, displayName })));
    for (const r of racers) {
      expect(r.token).toMatch(/^slv_[A-Za-z0-9_-]{43}$/);
      const { me } = await gql(demo.url, ME, r.token);
      expect(me).toMatchObject({
        custId: r.custId,
        iracingLink: { status: 'ACTIVE' },
        member: { displayName: r.displayName },
      });
      expect(me.ownedCars.length + me.ownedTracks.length).toBeGreaterThan(0);
      expect(out).toMatch(new RegExp(`\\] SUCCEEDED +${r.displayName} \\(cust_id ${r.custId}\\): their own`));
      expect(out).toContain(`${r.displayName} (cust_id ${r.custId})`);
    }
    expect(out).toContain(`Their viewer tokens are in ${tokensFile}`);
    expect(out).toContain('Authorization: Bearer <viewer token from that file>');
    expect(out).toContain('{ me { custId member { displayName } licenses {');
    await runPrintedExamples(demo.url, out, racers);
    expect(out).not.toMatch(/slv_/);

    const data = await gql(
      demo.url,
      `{ seasons(filter: { active: true }, first: 3) { totalCount edges { node { name raceWeeks { weekNumber
           layout { trackName } forecastSummary { maxAirTempC } carRestrictions { car { name } } } } } }
         sessions(first: 3) { totalCount }
         syncRuns(first: 50) { edges { node { kind status } } } }`,
    );
    expect(data.seasons.totalCount).toBeGreaterThan(0);
    const weeks = data.seasons.edges.flatMap((e: Raw) => e.node.raceWeeks);
    expect(weeks.every((w: Raw) => w.layout.trackName)).toBe(true);
    expect(weeks.some((w: Raw) => w.forecastSummary !== null)).toBe(true);
    expect(data.sessions.totalCount).toBeGreaterThan(0);
    const runs = data.syncRuns.edges.map((e: Raw) => e.node);
    expect(runs.map((r: Raw) => r.status).filter((s: string) => s !== 'SUCCEEDED')).toEqual([]);
    expect(new Set(runs.map((r: Raw) => r.kind))).toEqual(
      new Set([
        'CATALOG',
        'SEASONS',
        'FORECASTS',
        'RACE_GUIDE',
        'OWNED_CONTENT',
        'RESULTS',
        'MEMBER_ACCOUNT',
        ...(runs.some((r: Raw) => r.kind === 'SUBSESSIONS') ? ['SUBSESSIONS'] : []),
      ]),
    );
    expect((await request(demo.url).get('/health')).status).toBe(200);
  });

  it("reuses the data and the racers' viewer tokens on a second start", async () => {
    await demo?.close();
    const before = readFileSync(tokensFile, 'utf8');
    const lines: string[] = [];
    demo = await startDemo({ env, print: (l) => lines.push(l) });
    expect(demo.synced).toBe(false);
    const out = lines.join('\n');
    expect(out).toMatch(/already holds \d+ seasons: reusing them/);
    const data = await gql(
      demo.url,
      `{ syncRuns(first: 100) { edges { node { kind } } } seasons { totalCount } }`,
    );
    expect(data.seasons.totalCount).toBeGreaterThan(0);
    // Nothing synced again but the racers' own accounts: they sign in again at the new replica.
    const kinds = data.syncRuns.edges.map((e: Raw) => e.node.kind as string);
    expect(kinds.filter((k: string) => k !== 'MEMBER_ACCOUNT').length).toBeGreaterThanOrEqual(6);
    expect(readFileSync(tokensFile, 'utf8')).toBe(before);
    expect(out).toMatch(/2 viewer token\(s\) kept from the last start/);
    const racers = storedRacers();
    await runPrintedExamples(demo.url, out, racers);
    for (const r of racers) {
      const { me } = await gql(demo.url, ME, r.token);
      expect(me).toMatchObject({ custId: r.custId, iracingLink: { status: 'ACTIVE' } });
      expect(out).toMatch(new RegExp(`\\] SUCCEEDED +${r.displayName} \\(cust_id ${r.custId}\\): their own`));
    }
    // One live viewer token per racer: the ones issued by signing in again were revoked.
    const live = (await demo.http
      .get(DataSource)
      .query(`SELECT count(*)::int AS n FROM viewer_token WHERE revoked_at IS NULL`)) as Raw[];
    expect(live[0].n).toBe(2);
    expect(out).not.toMatch(/slv_/);
  });
});
