// The GraphQL response cache end to end (docs/architecture.md §6.10), on real Redis and PostgreSQL with two api
// processes: a repeated query is answered without a statement, per requester scope, with an ETag and a 304 for
// public answers; answers with errors and operational fields are never kept; automatic persisted queries share the
// answers of their documents; and a sync that changes data is seen at once on every api process, as is a mutation.
import { createHash } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Redis } from 'ioredis';
import request from 'supertest';
import type { ReplicaDataset } from '../../offline/datasets.js';
import { createApp } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/core/config/app-config.js';
import { REDIS } from '../../src/core/redis/redis.provider.js';
import { ADMIN_KEY, startHarness, SYNC_RUN_FIELDS } from '../support/harness.js';
import type { Harness, SyncRunView } from '../support/harness.js';
import { countStatements } from '../support/statements.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const nothing: ReplicaDataset = { resolve: () => undefined };
const track = (track_id: number, package_id: number, track_name: string) => ({
  track_id,
  track_name,
  config_name: 'Full',
  package_id,
  category: 'road',
  track_types: [{ track_type: 'road' }],
  track_config_length: 2.5,
  corners_per_lap: 10,
  free_with_subscription: false,
  price: 14.95,
  retired: false,
});
const CARS = [
  {
    car_id: 1,
    car_name: 'Test Car',
    car_name_abbreviated: 'TST',
    package_id: 1001,
    categories: ['sports_car'],
    car_types: [{ car_type: 'sports_car' }],
    free_with_subscription: true,
    price: 0,
    retired: false,
  },
];
const CLASSES = [{ car_class_id: 7, name: 'Test', short_name: 'T', cars_in_class: [{ car_id: 1 }] }];

const TRACKS_QUERY = `query Tracks($first: Int) { tracks(first: $first) { edges { node { id name } } } }`;

describe('GraphQL response cache', () => {
  let h: Harness;
  let other: INestApplication;
  let names: Record<number, string>;

  const post = (app: INestApplication, body: Raw, key?: string) => {
    const req = request(app.getHttpServer()).post('/graphql').set('content-type', 'application/json');
    if (key) req.set('authorization', `Bearer ${key}`);
    return req.send(body);
  };
  const sync = async () => {
    const { syncCatalog } = await h.data<{ syncCatalog: SyncRunView }>(
      `mutation { syncCatalog(input: { refresh: true }) { ${SYNC_RUN_FIELDS} } }`,
      {},
      ADMIN_KEY,
    );
    return h.waitForRun(syncCatalog.id);
  };
  const trackNames = (body: Raw) =>
    (body.data.tracks.edges as Raw[]).map((e) => e.node.name as string).sort();

  beforeAll(async () => {
    names = { 401: 'Lake Circuit', 402: 'Old Ring' };
    h = await startHarness({ dataset: nothing });
    h.replica.override('track/get', () =>
      Object.entries(names).map(([p, n]) => track(Number(p), Number(p), n)),
    );
    h.replica.override('car/get', () => structuredClone(CARS));
    h.replica.override('carclass/get', () => structuredClone(CLASSES));
    expect((await sync()).status).toBe('SUCCEEDED');
    // A second api process of the same deployment (its own memory tier, the same Redis).
    const config = loadConfig({ ...h.settings, ROLE: 'api' });
    const started = await createApp(config, ['error']);
    other = started.http as INestApplication;
    await other.init();
  });
  afterAll(async () => {
    await other?.close();
    await h?.close();
  });

  it('answers a repeated query from the cache, without a statement', async () => {
    const body = { query: TRACKS_QUERY, variables: { first: 10 }, operationName: 'Tracks' };
    const first = await post(h.app, body);
    expect(first.headers['x-cache']).toBe('MISS');
    let again: request.Response | undefined;
    const statements = await countStatements(h, async () => {
      again = await post(h.app, body);
    });
    expect(statements).toBe(0);
    expect(again?.headers['x-cache']).toBe('HIT');
    expect(again?.text).toBe(first.text);
    expect(trackNames(first.body as Raw)).toEqual(['Lake Circuit', 'Old Ring']);
    // Other variables are another answer.
    expect((await post(h.app, { ...body, variables: { first: 1 } })).headers['x-cache']).toBe('MISS');
  });

  it('gives public answers an ETag and answers a matching If-None-Match with 304', async () => {
    const query = '{ tracks(first: 5) { edges { node { id } } } }';
    const get = (etag?: string) => {
      const req = request(h.app.getHttpServer())
        .get('/graphql')
        .query({ query })
        .set('apollo-require-preflight', 'true');
      if (etag) req.set('if-none-match', etag);
      return req;
    };
    const first = await get();
    expect(first.status).toBe(200);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(first.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
    const revalidated = await get(etag);
    expect(revalidated.status).toBe(304);
    expect(revalidated.text).toBe('');
    expect((await get('"another"')).status).toBe(200);
    // A GET without the preflight header is Apollo's to refuse (CSRF), cached or not.
    const bare = await request(h.app.getHttpServer()).get('/graphql').query({ query });
    expect(bare.status).toBe(400);
  });

  it('keeps answers per requester scope and never keeps a token in Redis', async () => {
    const body = { query: '{ tracks(first: 3) { edges { node { name } } } }' };
    expect((await post(h.app, body)).headers['x-cache']).toBe('MISS');
    const admin = await post(h.app, body, ADMIN_KEY);
    expect(admin.headers['x-cache']).toBe('MISS');
    expect(admin.headers['cache-control']).toBe('private, no-cache');
    expect((await post(h.app, body, ADMIN_KEY)).headers['x-cache']).toBe('HIT');
    expect((await post(h.app, body, 'slv_not-a-real-token')).headers['x-cache']).toBe('MISS');
    const redis = h.app.get<Redis>(REDIS);
    const keys = await redis.keys(`${h.config.env.QUEUE_PREFIX}:graphql:*`);
    expect(keys.length).toBeGreaterThan(3);
    for (const k of keys) {
      expect(k).not.toContain(ADMIN_KEY);
      expect(k).not.toContain('slv_not-a-real-token');
    }
  });

  it('never keeps answers with errors or of operational root fields', async () => {
    const missing = { query: '{ track(id: 999999) { name } }' };
    expect((await post(h.app, missing)).body.errors).toBeDefined();
    expect((await post(h.app, missing)).headers['x-cache']).toBeUndefined();
    const runs = { query: '{ syncRuns(first: 1) { edges { node { id status } } } }' };
    await post(h.app, runs, ADMIN_KEY);
    const again = await post(h.app, runs, ADMIN_KEY);
    expect(again.body.errors).toBeUndefined();
    expect(again.headers['x-cache']).toBeUndefined();
  });

  it('serves automatic persisted queries, sharing the answers of their documents', async () => {
    const query = '{ tracks(first: 2) { edges { node { id name } } } }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    const unknown = await post(h.app, { extensions });
    expect(unknown.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await post(h.app, { query, extensions });
    expect(registered.body.data.tracks.edges).toHaveLength(2);
    const byHash = await post(h.app, { extensions });
    expect(byHash.headers['x-cache']).toBe('HIT');
    expect(byHash.body).toEqual(registered.body);
  });

  it('shows what a sync changed at once, on every api process', async () => {
    const body = { query: TRACKS_QUERY, variables: { first: 10 } };
    for (const app of [h.app, other]) {
      await post(app, body);
      const warm = await post(app, body);
      expect(warm.headers['x-cache']).toBe('HIT');
      expect(trackNames(warm.body as Raw)).toEqual(['Lake Circuit', 'Old Ring']);
    }
    names = { ...names, 402: 'New Ring' };
    const run = await sync();
    expect(run.status).toBe('SUCCEEDED');
    expect(run.counts.updated).toBeGreaterThan(0);
    // The first process computes the new answer; the second may take it from Redis, never the old one.
    const fresh = await post(other, body);
    expect(fresh.headers['x-cache']).toBe('MISS');
    expect(trackNames(fresh.body as Raw)).toEqual(['Lake Circuit', 'New Ring']);
    const shared = await post(h.app, body);
    expect(shared.headers['x-cache']).toBe('HIT');
    expect(shared.body).toEqual(fresh.body);
  });

  it('moves on after any mutation, and runs without the cache when GRAPHQL_CACHE=false', async () => {
    const body = { query: TRACKS_QUERY, variables: { first: 10 } };
    await post(h.app, body);
    expect((await post(h.app, body)).headers['x-cache']).toBe('HIT');
    await h.data(`mutation { syncCatalog(input: { dryRun: true }) { id } }`, {}, ADMIN_KEY);
    expect((await post(other, body)).headers['x-cache']).toBe('MISS');

    const off = await createApp(loadConfig({ ...h.settings, ROLE: 'api', GRAPHQL_CACHE: 'false' }), [
      'error',
    ]);
    const app = off.http as INestApplication;
    await app.init();
    try {
      for (let i = 0; i < 2; i++) {
        const res = await post(app, body);
        expect(res.headers['x-cache']).toBeUndefined();
        expect(trackNames(res.body as Raw)).toEqual(['Lake Circuit', 'New Ring']);
      }
    } finally {
      await app.close();
    }
  });
});
