// Unit tests of the synthetic catalog generator: sizes, determinism, the shapes of the recorded iRacing payloads
// (../shared/iracing-samples) and referential integrity between cars, car classes and track packages.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generateCatalog } from './catalog.js';
import type { SyntheticCatalog } from './catalog.js';
import { Rng } from './random.js';

type Row = Record<string, unknown>;

const samples = path.resolve(process.cwd(), '../shared/iracing-samples');
const readSample = (file: string): Row[] =>
  JSON.parse(readFileSync(path.join(samples, file), 'utf8')) as Row[];

/** The JSON type of a value, telling integers from other numbers as the API does. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float';
  return typeof value;
}

function typesByKey(rows: Row[]): Map<string, { types: Set<string>; count: number }> {
  const out = new Map<string, { types: Set<string>; count: number }>();
  for (const row of rows) {
    for (const [key, value] of Object.entries(row)) {
      const entry = out.get(key) ?? { types: new Set<string>(), count: 0 };
      entry.types.add(jsonType(value));
      entry.count++;
      out.set(key, entry);
    }
  }
  return out;
}

function expectSameShape(sample: Row[], generated: Row[]): void {
  const sampleTypes = typesByKey(sample);
  const generatedTypes = typesByKey(generated);
  // Every key the API sends appears in the generated payload...
  expect([...generatedTypes.keys()].sort()).toEqual([...sampleTypes.keys()].sort());
  for (const [key, { types, count }] of sampleTypes) {
    const gen = generatedTypes.get(key);
    expect(gen).toBeDefined();
    // ... with JSON types the API uses for it ...
    for (const type of gen!.types)
      expect({ key, type, allowed: types.has(type) }).toEqual({ key, type, allowed: true });
    // ... on every record when the API always sends it.
    if (count === sample.length) expect({ key, count: gen!.count }).toEqual({ key, count: generated.length });
  }
}

function expectUnique(values: unknown[]): void {
  expect(new Set(values).size).toBe(values.length);
}

describe('Rng', () => {
  it('is deterministic and stays in range', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(Array.from({ length: 1000 }, () => b.next())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const rng = new Rng(7);
    for (let i = 0; i < 1000; i++) {
      const n = rng.int(3, 5);
      expect(n >= 3 && n <= 5 && Number.isInteger(n)).toBe(true);
    }
    expect(new Set(rng.sample([1, 2, 3, 4, 5], 3)).size).toBe(3);
    expect(rng.sample([1, 2], 5).sort()).toEqual([1, 2]);
    expect(['a', 'b']).toContain(rng.pick(['a', 'b']));
  });
});

describe('generateCatalog', () => {
  const catalog = generateCatalog({ seed: 1, scale: 1 });

  it('has the size of the recorded catalog at scale 1', () => {
    expect(catalog.cars).toHaveLength(181);
    expect(catalog.carClasses).toHaveLength(251);
    expect(catalog.tracks).toHaveLength(424);
    expect(new Set(catalog.tracks.map((t) => t.package_id)).size).toBe(148);
  });

  it('scales the sizes', () => {
    const big = generateCatalog({ seed: 1, scale: 3 });
    expect(big.cars).toHaveLength(543);
    expect(big.carClasses).toHaveLength(753);
    expect(big.tracks).toHaveLength(1272);
    expect(new Set(big.tracks.map((t) => t.package_id)).size).toBe(444);
    const small = generateCatalog({ seed: 1, scale: 0.5 });
    expect([small.cars.length, small.carClasses.length, small.tracks.length]).toEqual([91, 126, 212]);
  });

  it('is deterministic for a seed and scale', () => {
    const again = generateCatalog({ seed: 1, scale: 1 });
    expect(again).toEqual(catalog);
    expect(JSON.stringify(again)).toBe(JSON.stringify(catalog));
    expect(JSON.stringify(generateCatalog({}))).toBe(JSON.stringify(catalog));
    const other = generateCatalog({ seed: 2, scale: 1 });
    expect(other.cars).toHaveLength(181);
    expect(JSON.stringify(other.cars)).not.toBe(JSON.stringify(catalog.cars));
    expect(JSON.stringify(other.tracks)).not.toBe(JSON.stringify(catalog.tracks));
  });

  it('generates the keys and JSON types of the recorded payloads', () => {
    expectSameShape(readSample('car-get.json'), catalog.cars);
    expectSameShape(readSample('carclass-get.json'), catalog.carClasses);
    expectSameShape(readSample('track-get.json'), catalog.tracks);
    const entry = (catalog.carClasses[0].cars_in_class as Row[])[0];
    expect(Object.keys(entry).sort()).toEqual(['car_dirpath', 'car_id', 'rain_enabled', 'retired']);
  });

  describe.each([1, 3])('integrity at scale %p', (scale) => {
    const c: SyntheticCatalog = scale === 1 ? catalog : generateCatalog({ seed: 5, scale });

    it('has unique ids and names', () => {
      expectUnique(c.cars.map((car) => car.car_id));
      expectUnique(c.cars.map((car) => car.package_id));
      expectUnique(c.cars.map((car) => car.car_name));
      expectUnique(c.carClasses.map((cls) => cls.car_class_id));
      expectUnique(c.carClasses.map((cls) => cls.name));
      expectUnique(c.tracks.map((t) => t.track_id));
      const carPackages = new Set(c.cars.map((car) => car.package_id));
      expect(c.tracks.some((t) => carPackages.has(t.package_id))).toBe(false);
    });

    it('puts every car in 1..8-car classes of existing cars', () => {
      const cars = new Map(c.cars.map((car) => [car.car_id, car]));
      const classed = new Set<unknown>();
      const problems: string[] = [];
      for (const cls of c.carClasses) {
        const members = cls.cars_in_class as Row[];
        const id = String(cls.car_class_id);
        if (members.length < 1 || members.length > 8) problems.push(`${id}: ${members.length} cars`);
        if (new Set(members.map((m) => m.car_id)).size !== members.length)
          problems.push(`${id}: duplicate car`);
        for (const m of members) {
          const car = cars.get(m.car_id);
          if (!car) problems.push(`${id}: unknown car ${String(m.car_id)}`);
          else if (
            m.car_dirpath !== car.car_dirpath ||
            m.rain_enabled !== car.rain_enabled ||
            m.retired !== car.retired
          )
            problems.push(`${id}: car ${String(m.car_id)} differs from /car/get`);
          classed.add(m.car_id);
        }
        if (cls.rain_enabled !== members.every((m) => m.rain_enabled === true))
          problems.push(`${id}: rain_enabled`);
        if ((cls.short_name as string).length > 16) problems.push(`${id}: short_name too long`);
      }
      expect(problems).toEqual([]);
      expect(classed.size).toBe(c.cars.length);
      expect(c.carClasses.some((cls) => (cls.cars_in_class as Row[]).length > 1)).toBe(true);
    });

    it('repeats make and model across cars, so cars group into models', () => {
      const models = new Map<string, number>();
      for (const car of c.cars) {
        if (typeof car.car_make === 'string' && typeof car.car_model === 'string') {
          const key = `${car.car_make}|${car.car_model}`;
          models.set(key, (models.get(key) ?? 0) + 1);
        }
      }
      expect([...models.values()].filter((n) => n > 1).length).toBeGreaterThan(5);
      expect(c.cars.some((car) => !('car_make' in car))).toBe(true);
    });

    it('keeps cars consistent', () => {
      const categories = new Set(['sports_car', 'oval', 'formula_car', 'dirt_oval', 'dirt_road']);
      const problems: string[] = [];
      for (const car of c.cars) {
        const id = String(car.car_id);
        const hp = car.hp as number;
        if (!categories.has((car.categories as string[])[0])) problems.push(`${id}: category`);
        if (car.retired !== (car.car_name as string).startsWith('[Retired] '))
          problems.push(`${id}: retired`);
        if (![0, 2.95, 11.95].includes(car.price as number)) problems.push(`${id}: price`);
        if (car.free_with_subscription === true && car.price !== 0) problems.push(`${id}: free but priced`);
        if (hp < 100 || hp > 1000) problems.push(`${id}: hp ${hp}`);
        if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(car.created as string)) problems.push(`${id}: created`);
      }
      expect(problems).toEqual([]);
      const ids = c.cars.map((car) => car.car_id as number);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    });

    it('groups track configurations under packages', () => {
      const categoryIds: Record<string, number> = { oval: 1, road: 2, dirt_oval: 3, dirt_road: 4 };
      const shared = ['track_name', 'location', 'latitude', 'longitude', 'time_zone', 'price', 'sku'];
      const packages = new Map<unknown, Row[]>();
      const problems: string[] = [];
      for (const t of c.tracks) {
        const id = String(t.track_id);
        const retiredName =
          (t.track_name as string).startsWith('[Retired] ') || String(t.config_name).startsWith('[Retired] ');
        if (t.category_id !== categoryIds[t.category as string]) problems.push(`${id}: category_id`);
        if (JSON.stringify(t.track_types) !== JSON.stringify([{ track_type: t.category }]))
          problems.push(`${id}: track_types`);
        if ((t.retired === true) !== retiredName) problems.push(`${id}: retired`);
        const list = packages.get(t.package_id) ?? [];
        list.push(t);
        packages.set(t.package_id, list);
      }
      const names = new Set<unknown>();
      let unnamedSingles = 0;
      for (const [packageId, configs] of packages) {
        const first = configs[0];
        for (const t of configs) {
          for (const key of shared) {
            if (t[key] !== first[key]) problems.push(`package ${String(packageId)}: ${key} differs`);
          }
        }
        if (names.has(first.track_name)) problems.push(`package ${String(packageId)}: name reused`);
        names.add(first.track_name);
        if (configs.length > 1) {
          if (!configs.every((t) => typeof t.config_name === 'string'))
            problems.push(`package ${String(packageId)}: unnamed configuration`);
          if (new Set(configs.map((t) => t.config_name)).size !== configs.length)
            problems.push(`package ${String(packageId)}: duplicate config_name`);
        } else if (!('config_name' in first)) {
          unnamedSingles++;
        }
      }
      expect(problems).toEqual([]);
      expect(unnamedSingles).toBeGreaterThan(0);
      expect([...packages.values()].some((configs) => configs.length >= 5)).toBe(true);
    });
  });

  it('generates scale 20 quickly', () => {
    const started = performance.now();
    const big = generateCatalog({ seed: 3, scale: 20 });
    expect(big.cars).toHaveLength(3620);
    expect(big.carClasses).toHaveLength(5020);
    expect(big.tracks).toHaveLength(8480);
    // Well under a second on a workstation; generous here so a loaded CI machine does not flake.
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('rejects a negative scale and allows an empty catalog', () => {
    expect(() => generateCatalog({ scale: -1 })).toThrow(RangeError);
    expect(generateCatalog({ scale: 0 })).toEqual({ cars: [], carClasses: [], tracks: [] });
  });
});
