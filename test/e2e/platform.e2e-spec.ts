// The platform around the catalog: schema.gql current, /health, argument validation and error codes,
// depth/complexity limits, statements per nested query (DataLoaders), and cron ticks enqueued once.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import request from 'supertest';
import { recordedDataset } from '../../offline/datasets.js';
import { SyncCronService } from '../../src/scheduler/sync-cron.service.js';
import { SyncKind } from '../../src/scheduler/sync-run.entity.js';
import { buildSchemaText, printSortedSchema } from '../../src/schema.js';
import { ADMIN_KEY, startHarness, SYNC_RUN_FIELDS } from '../support/harness.js';
import type { Harness, SyncRunView } from '../support/harness.js';
import { countStatements } from '../support/statements.js';
import { SAMPLES_DIR } from '../support/test-env.js';

describe('platform (end to end)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ dataset: recordedDataset(SAMPLES_DIR) });
    const r = await h.data<{ syncCatalog: SyncRunView }>(
      `mutation { syncCatalog { ${SYNC_RUN_FIELDS} } }`,
      {},
      ADMIN_KEY,
    );
    expect((await h.waitForRun(r.syncCatalog.id)).status).toBe('SUCCEEDED');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('serves exactly the committed schema.gql', async () => {
    const committed = readFileSync(resolve(process.cwd(), 'schema.gql'), 'utf8');
    const served = printSortedSchema(h.app.get(GraphQLSchemaHost).schema);
    expect(served).toBe(committed);
    expect(await buildSchemaText()).toBe(committed);
  });

  it('reports PostgreSQL and Redis on /health', async () => {
    const res = await request(h.app.getHttpServer()).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', postgres: 'up', redis: 'up' });
  });

  it.each([
    ['first below 1', '{ cars(first: 0) { totalCount } }', 'BAD_USER_INPUT', /first must not be less than 1/],
    [
      'first above the cap',
      '{ cars(first: 1000) { totalCount } }',
      'BAD_USER_INPUT',
      /first must not be greater than 100/,
    ],
    ['a negative first', '{ tracks(first: -5) { totalCount } }', 'BAD_USER_INPUT', /first/],
    [
      'a forged cursor',
      '{ cars(after: "bm90LWEtY3Vyc29y") { totalCount } }',
      'BAD_USER_INPUT',
      /not a cursor/,
    ],
    [
      'an unknown enum value',
      '{ cars(filter: { category: SPACESHIP }) { totalCount } }',
      'GRAPHQL_VALIDATION_FAILED',
      /SPACESHIP/,
    ],
    [
      'an oversized search',
      `{ cars(filter: { search: "${'x'.repeat(500)}" }) { totalCount } }`,
      'BAD_USER_INPUT',
      /search must be shorter/,
    ],
    ['a wrong id type', '{ car(id: "abc") { id } }', 'GRAPHQL_VALIDATION_FAILED', /Int/],
    ['an unknown car', '{ car(id: 987654) { id } }', 'NOT_FOUND', /Car 987654 was not found/],
    ['an unknown sync run', '{ syncRun(id: 987654) { id } }', 'NOT_FOUND', /SyncRun 987654/],
  ])('answers %s with %s', async (_name, query, code, message) => {
    const r = await h.gql(query);
    expect(r.errors?.[0].extensions?.code).toBe(code);
    expect(r.errors?.[0].message).toMatch(message);
  });

  it('rejects queries deeper than the limit', async () => {
    // car → classes → cars → classes → … : valid GraphQL, 15 levels deep.
    const levels = Array.from({ length: 14 }, (_, i) => (i % 2 === 0 ? 'classes' : 'cars'));
    const sel = levels.reduceRight((inner, field) => `${field} { ${inner} }`, 'id');
    const r = await h.gql(`{ car(id: 1) { ${sel} } }`);
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].message).toMatch(/depth \d+ exceeds the limit of 12/);
  });

  it('rejects aliases that multiply work past the complexity limit', async () => {
    const alias = (i: number) => `a${i}: cars(first: 100) { edges { node { classes { cars { name } } } } }`;
    const r = await h.gql(`{ ${Array.from({ length: 50 }, (_, i) => alias(i)).join(' ')} }`);
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].message).toMatch(/complexity \d+ exceeds the limit/);
  });

  it('resolves nested catalog fields with a bounded number of SQL statements (DataLoaders)', async () => {
    const count = (query: string) => countStatements(h, () => h.data(query));
    const nested = (first: number) =>
      `{ cars(first: ${first}) { edges { node { name carModel { name } classes { name cars { name } } } } } }`;
    const small = await count(nested(5));
    const large = await count(nested(100));
    // page + count, car models, classes of the cars, cars of those classes: one statement each.
    expect(large).toBe(small);
    expect(large).toBeLessThanOrEqual(5);
    const tracks = await count(
      `{ tracks(first: 100) { edges { node { name trackModel { name } layouts { configName track { name } } } } } }`,
    );
    expect(tracks).toBeLessThanOrEqual(5);
  });

  it('enqueues a cron tick once, however many scheduler replicas fire it', async () => {
    const cron = h.app.get(SyncCronService);
    const schedule = {
      name: 'catalog-test',
      cron: '0 5 * * *',
      kind: SyncKind.CATALOG,
      params: { refresh: true },
    };
    const at = new Date('2026-11-22T05:00:00.250Z');
    const runs = await Promise.all([
      cron.tick(schedule, at),
      cron.tick(schedule, new Date(at.getTime() + 900)),
      cron.tick(schedule, at),
    ]);
    expect(new Set(runs.map((r) => r.id)).size).toBe(1);
    expect(runs[0].trigger).toBe('CRON');
    await h.waitForRun(runs[0].id);
    const again = await cron.tick(schedule, at);
    expect(again.id).toBe(runs[0].id);
    const rows = await h.db.query(
      `SELECT count(*)::int AS n FROM sync_run WHERE trigger_key LIKE 'cron:catalog-test:%'`,
    );
    expect(rows[0].n).toBe(1);
  });
});
