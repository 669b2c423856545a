// CatalogRefsService on real PostgreSQL against the replica's synthetic world, without the API: what the catalog
// lacks, and "ensure these ids are known" as the seasons, results and members importers use it — the catalog
// fetched at most once for the imports sharing a state, never for a dry run nor when it is fresh, and its
// failure handed back as the cause of what is still missing.
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { CatalogRefsService } from '../../src/catalog/catalog-refs.service.js';
import type { CatalogFetchState } from '../../src/catalog/catalog-refs.service.js';
import { startImporterContext } from '../support/importer-context.js';
import type { ImporterContext } from '../support/importer-context.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const NOW = new Date('2026-11-19T15:00:00Z');
const UNKNOWN_CAR = 999_991;

describe('CatalogRefsService: the catalog ensured to know the ids an import names', () => {
  const dataset = syntheticDataset({ seed: 7, scale: 0.05, now: NOW });
  const served = (endpoint: string) =>
    dataset.resolve(endpoint, new URLSearchParams(), { baseUrl: 'http://replica', now: NOW }) as Raw[];
  const cars = served('car/get');
  const carClass = served('carclass/get').find((c) => (c.cars_in_class as Raw[]).length > 1) as Raw;
  const track = served('track/get')[0];
  const refs = {
    carIds: [cars[0].car_id as number, cars[1].car_id as number],
    carClassIds: [carClass.car_class_id as number],
    trackIds: [track.track_id as number],
    carPackageIds: [cars[0].package_id as number],
  };
  let ctx: ImporterContext;
  let catalog: CatalogRefsService;
  const carRequests = () => ctx.replica.stats.dataRequests['car/get'] ?? 0;

  beforeAll(async () => {
    ctx = await startImporterContext({ dataset, now: () => NOW });
    catalog = ctx.get(CatalogRefsService);
  }, 120_000);
  afterAll(async () => {
    await ctx?.close();
  });

  it('finds what an empty catalog lacks, by kind, and a dry run does not fetch it', async () => {
    const missing = await catalog.missing(refs);
    expect(missing.size).toBe(5);
    expect(missing.describe({ trackIds: refs.trackIds })).toBe(`track_id ${refs.trackIds[0]}`);
    const ensured = await catalog.ensureKnown(refs, { dryRun: true, by: 'a test' });
    expect(ensured.missing.size).toBe(5);
    expect(ensured.fetched).toBeUndefined();
    expect(carRequests()).toBe(0);
  });

  it('fetches the catalog once for the imports of one run, and tells what it still lacks', async () => {
    const state: CatalogFetchState = {};
    const [first, second] = await Promise.all([
      catalog.ensureKnown(refs, { state, by: 'subsession 1' }),
      catalog.ensureKnown({ carIds: [UNKNOWN_CAR, refs.carIds[0]] }, { state, by: 'subsession 2' }),
    ]);
    expect(carRequests()).toBe(1);
    // One of them ran the sync and hands its report on; the other waited for it.
    const fetched = [first.fetched, second.fetched].filter((r) => r !== undefined);
    expect(fetched).toHaveLength(1);
    expect(fetched[0]?.failures).toEqual([]);
    expect(fetched[0]?.byEntity.sim_car.created).toBe(cars.length);
    expect(first.missing.size).toBe(0);
    expect(second.missing.describe()).toBe(`car_id ${UNKNOWN_CAR}`);
    expect(second.failure).toBeUndefined();
    // Once fetched for the run, not again, whatever is still missing.
    const again = await catalog.ensureKnown({ carIds: [UNKNOWN_CAR] }, { state, by: 'subsession 3' });
    expect(again.fetched).toBeUndefined();
    expect(carRequests()).toBe(1);
  });

  it('does not fetch again a catalog stored within `unlessStoredWithinMs`', async () => {
    const ensured = await catalog.ensureKnown(
      { carPackageIds: [UNKNOWN_CAR] },
      { unlessStoredWithinMs: 3_600_000, by: 'account 1' },
    );
    expect(ensured.fetched).toBeUndefined();
    expect(ensured.missing.describe()).toBe(`car package_id ${UNKNOWN_CAR}`);
    expect(carRequests()).toBe(1);
    expect(await catalog.storedWithin(3_600_000)).toBe(true);
  });

  it("hands the catalog's failure back as the cause of what is still missing", async () => {
    ctx.replica.addFault({ endpoint: 'car/get', kind: 'status', status: 404, times: 1 });
    const ensured = await catalog.ensureKnown({ carIds: [UNKNOWN_CAR] }, { by: 'season 1' });
    expect(ensured.missing.size).toBe(1);
    expect(ensured.fetched?.unitsSucceeded).toBe(0);
    expect(ensured.failure).toMatchObject({
      unit: 'catalog',
      endpoint: 'car/get',
      status: 404,
      retryable: false,
    });
  });

  it('gives the relative speeds of classes and the classes that hold cars', async () => {
    const speeds = await catalog.relativeSpeeds([carClass.car_class_id as number]);
    expect(speeds.get(carClass.car_class_id as number)).toBe(carClass.relative_speed ?? 0);
    const memberIds = (carClass.cars_in_class as Raw[]).map((c) => c.car_id as number).sort((a, b) => a - b);
    const classes = await catalog.classesOfCars([memberIds[0]]);
    expect(classes.find((c) => c.carClassId === carClass.car_class_id)?.carIds).toEqual(memberIds);
  });
});
