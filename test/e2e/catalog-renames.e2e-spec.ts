// Renames upstream, end to end: iRacing renames a track (same package_id and track_id, a new track_name) or a car
// (new make/model or name). Track and car models are derived from those names; after the next catalog sync every
// model still has a track or car below it, a renamed model keeps its id when it can, and GraphQL shows the new
// names. Every iRacing answer is a small hand-written payload in the real shape, served through replica overrides.
import type { ReplicaDataset } from '../../offline/datasets.js';
import { ADMIN_KEY, startHarness, SYNC_RUN_FIELDS } from '../support/harness.js';
import type { Harness, SyncRunView } from '../support/harness.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SYNC = `mutation($input: SyncCatalogInput) { syncCatalog(input: $input) { ${SYNC_RUN_FIELDS} } }`;

const layout = (
  track_id: number,
  package_id: number,
  track_name: string,
  config_name: string,
  o: Raw = {},
) => ({
  track_id,
  track_name,
  config_name,
  package_id,
  category: 'road',
  track_types: [{ track_type: 'road' }],
  track_config_length: 2.5,
  corners_per_lap: 10,
  free_with_subscription: false,
  price: 14.95,
  location: 'Somewhere, Italy',
  latitude: 45,
  longitude: 7,
  time_zone: 'Europe/Rome',
  retired: false,
  ...o,
});
const car = (car_id: number, car_name: string, make?: string, model?: string) => ({
  car_id,
  car_name,
  car_name_abbreviated: car_name.slice(0, 3).toUpperCase(),
  ...(make ? { car_make: make } : {}),
  ...(model ? { car_model: model } : {}),
  package_id: car_id + 1000,
  categories: ['sports_car'],
  car_types: [{ car_type: 'sports_car' }],
  free_with_subscription: false,
  price: 11.95,
  hp: 300,
  car_weight: 2200,
  retired: false,
});

const BEFORE = {
  tracks: [
    // A place with its current package and a retired one.
    layout(301, 401, 'Old Ring', 'Grand Prix'),
    layout(302, 401, 'Old Ring', 'Short'),
    layout(303, 402, '[Legacy] Old Ring - 2008', 'Grand Prix', { retired: true }),
    // A place with one package.
    layout(304, 403, 'Lake Circuit', 'Full'),
    // Two places: the first is renamed to the second's name.
    layout(305, 405, 'Bay Circuit', 'Full'),
    layout(306, 406, 'Harbour Park', 'Full'),
  ],
  cars: [
    car(101, 'Retro GT Alpha', 'Retro', 'GT Alpha'),
    car(102, 'Zephyr 2'),
    car(103, 'Retro GT Alpha Evo', 'Retro', 'GT Alpha Evo'),
    car(104, 'Retro GT Alpha Evo 2', 'Retro', 'GT Alpha Evo 2'),
  ],
};
const AFTER = {
  tracks: [
    layout(301, 401, 'New Ring', 'Grand Prix'),
    layout(302, 401, 'New Ring', 'Short'),
    layout(303, 402, '[Legacy] Old Ring - 2008', 'Grand Prix', { retired: true }),
    layout(304, 403, 'Lakeside Raceway', 'Full'),
    layout(305, 405, 'Harbour Park', 'Full'),
    layout(306, 406, 'Harbour Park', 'Full'),
  ],
  cars: [
    car(101, 'Retro GT Alpha II', 'Retro', 'GT Alpha II'),
    car(102, 'Zephyr Two'),
    // Its model renamed to that of another car: the two share one model.
    car(103, 'Retro GT Alpha Evo', 'Retro', 'GT Alpha Evo 2'),
    car(104, 'Retro GT Alpha Evo 2', 'Retro', 'GT Alpha Evo 2'),
  ],
};
const CLASSES = [
  {
    car_class_id: 501,
    name: 'Retro GT',
    short_name: 'Retro GT',
    relative_speed: 50,
    cust_id: 0,
    cars_in_class: [101, 102, 103, 104].map((car_id) => ({ car_id })),
  },
];

const nothing: ReplicaDataset = { resolve: () => undefined };

const TRACK = `query($id: Int!) { track(id: $id) { id name trackModel { id name location } layouts { id trackName } } }`;
const CAR = `query($id: Int!) { car(id: $id) { id name carModel { id name make model } } }`;

describe('catalog renames (end to end, hand-written payloads)', () => {
  let h: Harness;
  let world = BEFORE;
  const before: Record<string, Raw> = {};

  const sync = async (input: Raw = {}): Promise<SyncRunView> => {
    await h.clearIracingCache();
    const data = await h.data<{ syncCatalog: SyncRunView }>(SYNC, { input }, ADMIN_KEY);
    return h.waitForRun(data.syncCatalog.id);
  };
  const byEntity = (r: SyncRunView) => Object.fromEntries(r.countsByEntity.map((c) => [c.entity, c]));
  const track = async (id: number) => (await h.data<{ track: Raw }>(TRACK, { id })).track;
  const carOf = async (id: number) => (await h.data<{ car: Raw }>(CAR, { id })).car;
  const orphans = async () =>
    (
      (await h.db.query(
        `SELECT (SELECT count(*) FROM track_model m
                  WHERE NOT EXISTS (SELECT 1 FROM sim_track t WHERE t.track_model_id = m.id))::int AS tracks,
                (SELECT count(*) FROM car_model m
                  WHERE NOT EXISTS (SELECT 1 FROM sim_car c WHERE c.car_model_id = m.id))::int AS cars`,
      )) as Raw[]
    )[0];
  const models = async () =>
    (await h.db.query(
      `SELECT 'track' AS kind, key FROM track_model UNION ALL SELECT 'car', key FROM car_model ORDER BY 1, 2`,
    )) as Raw[];

  beforeAll(async () => {
    h = await startHarness({ dataset: nothing });
    h.replica.override('track/get', () => structuredClone(world.tracks));
    h.replica.override('car/get', () => structuredClone(world.cars));
    h.replica.override('carclass/get', () => structuredClone(CLASSES));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('imports the catalog: one model per place and per make and model', async () => {
    const r = await sync();
    expect(r.status).toBe('SUCCEEDED');
    expect(byEntity(r).track_model.created).toBe(4);
    expect(byEntity(r).car_model.created).toBe(4);
    expect(await orphans()).toEqual({ tracks: 0, cars: 0 });
    for (const id of [401, 402, 403, 405, 406]) before[`track ${id}`] = await track(id);
    for (const id of [101, 102, 103, 104]) before[`car ${id}`] = await carOf(id);
    expect(before['track 402'].trackModel.id).toBe(before['track 401'].trackModel.id);
    expect(before['track 403'].trackModel.name).toBe('Lake Circuit');
  });

  it('after the renames no model is left without a track or car, and GraphQL shows the new names', async () => {
    world = AFTER;
    const r = await sync();
    expect(r.errors).toEqual([]);
    expect(r.status).toBe('SUCCEEDED');
    expect(await orphans()).toEqual({ tracks: 0, cars: 0 });

    // One package, renamed: its model renamed in place (same id).
    const lake = await track(403);
    expect(lake.name).toBe('Lakeside Raceway');
    expect(lake.layouts).toEqual([{ id: 304, trackName: 'Lakeside Raceway' }]);
    expect(lake.trackModel).toEqual({
      id: before['track 403'].trackModel.id,
      name: 'Lakeside Raceway',
      location: 'Somewhere, Italy',
    });
    // The current package renamed, the retired one not: the old place keeps the retired package.
    const ring = await track(401);
    expect(ring.name).toBe('New Ring');
    expect(ring.trackModel.name).toBe('New Ring');
    expect((await track(402)).trackModel).toMatchObject({
      id: before['track 401'].trackModel.id,
      name: 'Old Ring',
    });
    // Renamed to another place's name: merged into that place, the emptied model deleted.
    const bay = await track(405);
    expect(bay.name).toBe('Harbour Park');
    expect(bay.trackModel.id).toBe(before['track 406'].trackModel.id);

    const alpha = await carOf(101);
    expect(alpha.name).toBe('Retro GT Alpha II');
    expect(alpha.carModel).toEqual({
      id: before['car 101'].carModel.id,
      name: 'Retro GT Alpha II',
      make: 'Retro',
      model: 'GT Alpha II',
    });
    expect((await carOf(102)).carModel).toMatchObject({
      id: before['car 102'].carModel.id,
      name: 'Zephyr Two',
    });
    expect((await carOf(103)).carModel.id).toBe(before['car 104'].carModel.id);

    expect(await models()).toEqual([
      { kind: 'car', key: 'name:zephyr two' },
      { kind: 'car', key: 'retro|gt alpha evo 2' },
      { kind: 'car', key: 'retro|gt alpha ii' },
      { kind: 'track', key: 'harbour park' },
      { kind: 'track', key: 'lakeside raceway' },
      { kind: 'track', key: 'new ring' },
      { kind: 'track', key: 'old ring' },
    ]);
    const e = byEntity(r);
    expect(e.track_model).toMatchObject({ created: 1, updated: 1, deleted: 1 });
    expect(e.car_model).toMatchObject({ created: 0, updated: 2, deleted: 1 });
  });

  it('a sync of the same catalog again (also past its content hash) changes nothing', async () => {
    for (const input of [{}, { refresh: true }]) {
      const r = await sync(input);
      expect(r.status).toBe('SUCCEEDED');
      expect(r.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
    }
    expect(await orphans()).toEqual({ tracks: 0, cars: 0 });
  });

  it('renaming back restores the first names, again without a model left empty', async () => {
    world = BEFORE;
    const r = await sync();
    expect(r.status).toBe('SUCCEEDED');
    expect(await orphans()).toEqual({ tracks: 0, cars: 0 });
    expect((await track(403)).trackModel).toMatchObject({
      id: before['track 403'].trackModel.id,
      name: 'Lake Circuit',
    });
    // The current package goes back to the place its retired package never left.
    expect((await track(401)).trackModel).toMatchObject({
      id: before['track 401'].trackModel.id,
      name: 'Old Ring',
    });
    expect((await track(405)).trackModel.name).toBe('Bay Circuit');
    expect((await track(406)).trackModel.id).toBe(before['track 406'].trackModel.id);
    expect((await carOf(101)).carModel).toMatchObject({
      id: before['car 101'].carModel.id,
      name: 'Retro GT Alpha',
    });
    expect((await carOf(103)).carModel.name).toBe('Retro GT Alpha Evo');
  });
});
