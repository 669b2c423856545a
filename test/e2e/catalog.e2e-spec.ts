// The catalog synced end to end: GraphQL mutation → Bull job on Redis → IracingClient → offline replica
// serving the recorded samples → set-based upserts in PostgreSQL → SyncRun → GraphQL queries.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordedDataset } from '../../offline/datasets.js';
import { ADMIN_KEY, startHarness, SYNC_RUN_FIELDS } from '../support/harness.js';
import type { Harness, SyncRunView } from '../support/harness.js';
import { SAMPLES_DIR } from '../support/test-env.js';

const SYNC = `mutation($input: SyncCatalogInput) { syncCatalog(input: $input) { ${SYNC_RUN_FIELDS} } }`;
const COUNTS = `{ cars { totalCount } carClasses { totalCount } layouts { totalCount } tracks { totalCount } }`;

const sample = (file: string) =>
  JSON.parse(readFileSync(join(SAMPLES_DIR, file), 'utf8')) as Record<string, unknown>[];

describe('catalog sync (end to end)', () => {
  let h: Harness;

  const sync = async (input: Record<string, unknown> = {}): Promise<SyncRunView> => {
    const data = await h.data<{ syncCatalog: SyncRunView }>(SYNC, { input }, ADMIN_KEY);
    return h.waitForRun(data.syncCatalog.id);
  };
  const counts = () =>
    h
      .data<Record<'cars' | 'carClasses' | 'layouts' | 'tracks', { totalCount: number }>>(COUNTS)
      .then((d) => ({
        cars: d.cars.totalCount,
        carClasses: d.carClasses.totalCount,
        layouts: d.layouts.totalCount,
        tracks: d.tracks.totalCount,
      }));
  const tableState = async () =>
    (await h.db.query(
      `SELECT (SELECT count(*) FROM sim_car)::int AS cars, (SELECT max(updated_at) FROM sim_car) AS car_updated,
              (SELECT count(*) FROM car_class_car)::int AS members, (SELECT max(updated_at) FROM sim_layout) AS layout_updated,
              (SELECT content_hash FROM payload_hash WHERE source = 'catalog') AS hash`,
    )) as unknown[];

  beforeAll(async () => {
    h = await startHarness({ dataset: recordedDataset(SAMPLES_DIR) });
  });
  afterAll(async () => {
    await h?.close();
  });
  afterEach(() => {
    h.replica.clearFaults();
    h.replica.clearOverrides();
  });

  it('refuses syncCatalog without a key or with a wrong key', async () => {
    for (const key of [null, 'wrong-key']) {
      const r = await h.gql(SYNC, {}, key);
      expect(r.data).toBeNull();
      expect(r.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect(JSON.stringify(r)).not.toContain('wrong-key');
    }
    const runs = await h.db.query('SELECT count(*)::int AS n FROM sync_run');
    expect(runs[0].n).toBe(0);
  });

  it('imports the recorded catalog: counts through GraphQL equal the samples', async () => {
    const run = await sync();
    expect(run).toMatchObject({ status: 'SUCCEEDED', trigger: 'GRAPHQL', errors: [] });
    expect(run.apiCalls).toBe(3);
    expect(run.counts.created).toBeGreaterThan(181 + 251 + 424);
    expect(await counts()).toEqual({ cars: 181, carClasses: 251, layouts: 424, tracks: 148 });
    const members = sample('carclass-get.json').reduce(
      (n, c) => n + (c.cars_in_class as unknown[]).length,
      0,
    );
    const byEntity = Object.fromEntries(run.countsByEntity.map((c) => [c.entity, c]));
    expect(byEntity.sim_car.created).toBe(181);
    expect(byEntity.car_class_car.created).toBe(members);
    expect(byEntity.sim_layout.created).toBe(424);
  });

  it('serves what was imported: a car with its classes, a class with its cars, a track with its layouts', async () => {
    const car = sample('car-get.json')[0];
    const d = await h.data<{
      car: { id: number; name: string; weightLbs: number; classes: { id: number; cars: { id: number }[] }[] };
      track: { id: number; layouts: { id: number; configName: string | null; lengthKm: number }[] };
    }>(
      `query($car: Int!, $track: Int!) {
        car(id: $car) { id name weightLbs classes { id cars { id } } }
        track(id: $track) { id layouts { id configName lengthKm } }
      }`,
      { car: car.car_id, track: 9 },
    );
    expect(d.car.name).toBe(car.car_name);
    expect(d.car.weightLbs).toBe(car.car_weight);
    const classes = sample('carclass-get.json').filter((c) =>
      (c.cars_in_class as { car_id: number }[]).some((m) => m.car_id === car.car_id),
    );
    expect(d.car.classes.map((c) => c.id).sort()).toEqual(classes.map((c) => c.car_class_id).sort());
    for (const c of d.car.classes) expect(c.cars.map((x) => x.id)).toContain(car.car_id);
    const layouts = sample('track-get.json').filter((t) => t.package_id === 9);
    expect(d.track.layouts.map((l) => l.id).sort()).toEqual(layouts.map((l) => l.track_id).sort());
  });

  it('pages through every car with cursors, each exactly once', async () => {
    const seen: number[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const d: {
        cars: { edges: { node: { id: number } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
      } = await h.data(
        `query($after: String) { cars(first: 50, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      seen.push(...d.cars.edges.map((e) => e.node.id));
      if (!d.cars.pageInfo.hasNextPage) break;
      after = d.cars.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(181);
    expect(new Set(seen).size).toBe(181);
  });

  it('filters cars by category, class, freeness and search', async () => {
    const cars = sample('car-get.json');
    const d = await h.data<Record<string, { totalCount: number }>>(`{
      oval: cars(filter: { category: OVAL }) { totalCount }
      road: cars(filter: { category: ROAD }) { totalCount }
      free: cars(filter: { free: true }) { totalCount }
      gt3: cars(filter: { search: "gt3" }) { totalCount }
      cls: cars(filter: { carClassId: 2 }) { totalCount }
    }`);
    const cat = (c: string[]) =>
      cars.filter((x) => (x.categories as string[]).some((y) => c.includes(y))).length;
    expect(d.oval.totalCount).toBe(cat(['oval']));
    expect(d.road.totalCount).toBe(cat(['sports_car', 'formula_car']));
    expect(d.free.totalCount).toBe(cars.filter((c) => c.free_with_subscription).length);
    expect(d.gt3.totalCount).toBe(
      cars.filter((c) =>
        [c.car_name, c.car_name_abbreviated, c.car_make, c.car_model].some((v) =>
          String(v ?? '')
            .toLowerCase()
            .includes('gt3'),
        ),
      ).length,
    );
    expect(d.cls.totalCount).toBe(1);
  });

  it('a second run reports every row unchanged and changes nothing, also when forced past the content hash', async () => {
    const before = await tableState();
    for (const input of [{}, { refresh: true }]) {
      const run = await sync(input);
      expect(run.status).toBe('SUCCEEDED');
      // Without refresh the answers come from the Redis cache; with it, from the replica.
      expect(run.apiCalls).toBe('refresh' in input ? 3 : 0);
      expect(run.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
      expect(run.counts.unchanged).toBeGreaterThan(181 + 251 + 424);
      expect(await tableState()).toEqual(before);
    }
  });

  it('a changed value upstream updates exactly that row; a class dropped upstream is deleted', async () => {
    const target = sample('car-get.json')[5];
    const dropped = sample('carclass-get.json')[7];
    h.replica.override('car/get', (cars) =>
      (cars as Record<string, unknown>[]).map((c) => (c.car_id === target.car_id ? { ...c, hp: 999 } : c)),
    );
    h.replica.override('carclass/get', (classes) =>
      (classes as Record<string, unknown>[]).filter((c) => c.car_class_id !== dropped.car_class_id),
    );
    const run = await sync({ refresh: true });
    const byEntity = Object.fromEntries(run.countsByEntity.map((c) => [c.entity, c]));
    expect(byEntity.sim_car).toMatchObject({ created: 0, updated: 1, unchanged: 180 });
    expect(byEntity.car_class).toMatchObject({ deleted: 1, updated: 0 });
    expect(byEntity.car_class_car.deleted).toBe((dropped.cars_in_class as unknown[]).length);
    const d = await h.data<{ car: { hp: number } }>(`query($id: Int!) { car(id: $id) { hp } }`, {
      id: target.car_id,
    });
    expect(d.car.hp).toBe(999);
    const gone = await h.gql(`query($id: Int!) { carClass(id: $id) { id } }`, { id: dropped.car_class_id });
    expect(gone.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    h.replica.clearOverrides();
    const back = await sync({ refresh: true });
    expect(back.counts).toMatchObject({
      created: 1 + (dropped.cars_in_class as unknown[]).length,
      updated: 1,
    });
  });

  it('dryRun runs the whole import and writes nothing', async () => {
    const before = await tableState();
    h.replica.override('car/get', (cars) =>
      (cars as Record<string, unknown>[]).map((c, i) =>
        i < 3 ? { ...c, car_name: `${String(c.car_name)} (renamed)` } : c,
      ),
    );
    const run = await sync({ dryRun: true, refresh: true });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.dryRun).toBe(true);
    expect(Object.fromEntries(run.countsByEntity.map((c) => [c.entity, c.updated]))).toMatchObject({
      sim_car: 3,
    });
    expect(await tableState()).toEqual(before);
    const renamed = await h.db.query(`SELECT count(*)::int AS n FROM sim_car WHERE name LIKE '%(renamed)'`);
    expect(renamed[0].n).toBe(0);
  });

  it('a malformed payload fails the run with the endpoint and field named, and keeps the stored data', async () => {
    const before = await tableState();
    h.replica.override('car/get', (cars) =>
      (cars as Record<string, unknown>[]).map((c, i) => (i === 3 ? { ...c, car_id: 'x' } : c)),
    );
    const run = await sync({ refresh: true });
    expect(run.status).toBe('FAILED');
    expect(run.errors[0]).toMatchObject({ unit: 'catalog', endpoint: 'car/get' });
    expect(run.errors[0].message).toContain('[3].car_id');
    expect(await tableState()).toEqual(before);

    h.replica.clearOverrides();
    h.replica.addFault({ endpoint: 'track/get', kind: 'malformed-json' }); // every link it hands out is cut short
    const truncated = await sync({ refresh: true });
    h.replica.clearFaults();
    expect(truncated.status).toBe('FAILED');
    expect(truncated.errors[0].endpoint).toBe('track/get');
    expect(truncated.errors[0].message).toMatch(/invalid JSON/);
    expect(await tableState()).toEqual(before);
    expect(await counts()).toEqual({ cars: 181, carClasses: 251, layouts: 424, tracks: 148 });
  });

  it('retries an outage inside the client and still succeeds', async () => {
    h.replica.addFault({ endpoint: 'car/get', kind: 'status', status: 502, times: 2 });
    h.replica.addFault({ endpoint: 'track/get', kind: 'html', times: 1 });
    const run = await sync({ refresh: true });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.apiCalls).toBe(6);
  });

  it('a repeated trigger while a run is queued or running joins that run', async () => {
    h.replica.addFault({ endpoint: 'car/get', kind: 'slow', delayMs: 500, times: 1 });
    const [a, b] = await Promise.all([
      h.data<{ syncCatalog: SyncRunView }>(SYNC, { input: { refresh: true } }, ADMIN_KEY),
      h.data<{ syncCatalog: SyncRunView }>(SYNC, { input: { refresh: true } }, ADMIN_KEY),
    ]);
    expect(a.syncCatalog.id).toBe(b.syncCatalog.id);
    await h.waitForRun(a.syncCatalog.id);
    const next = await h.data<{ syncCatalog: SyncRunView }>(SYNC, { input: { refresh: true } }, ADMIN_KEY);
    expect(next.syncCatalog.id).not.toBe(a.syncCatalog.id);
    await h.waitForRun(next.syncCatalog.id);
  });

  it('lists sync runs newest first, filtered by status', async () => {
    const d = await h.data<{
      syncRuns: { totalCount: number; edges: { node: { id: number; status: string } }[] };
    }>(`{ syncRuns(first: 100, filter: { status: FAILED }) { totalCount edges { node { id status } } } }`);
    expect(d.syncRuns.totalCount).toBe(2);
    const ids = d.syncRuns.edges.map((e) => e.node.id);
    expect(ids).toEqual([...ids].sort((x, y) => y - x));
  });
});
