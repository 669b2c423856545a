// `npm run demo` end to end (its code path in this process, on the test database and Redis): local defaults with
// the offline replica, a full sync of everything through the queues with progress printed, then a served,
// populated graph; a second start reuses the data.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { startDemo } from '../../offline/demo.js';
import type { Demo } from '../../offline/demo.js';
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

  const gql = async (url: string, query: string) => {
    const res = await request(url).post('/graphql').set('content-type', 'application/json').send({ query });
    const body = res.body as { data?: Raw; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data as Raw;
  };

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
        ...(runs.some((r: Raw) => r.kind === 'SUBSESSIONS') ? ['SUBSESSIONS'] : []),
      ]),
    );
    expect((await request(demo.url).get('/health')).status).toBe(200);
  });

  it('reuses the data on a second start', async () => {
    await demo?.close();
    const lines: string[] = [];
    demo = await startDemo({ env, print: (l) => lines.push(l) });
    expect(demo.synced).toBe(false);
    expect(lines.join('\n')).toMatch(/already holds \d+ seasons: reusing them/);
    const data = await gql(demo.url, `{ syncRuns(first: 100) { totalCount } seasons { totalCount } }`);
    expect(data.seasons.totalCount).toBeGreaterThan(0);
    expect(data.syncRuns.totalCount).toBeGreaterThanOrEqual(6); // nothing new was queued
  });
});
