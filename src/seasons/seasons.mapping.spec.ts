import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seasonDetail } from '../iracing/iracing.payloads.js';
import { classesForCars, namesNoClass } from './season-classes.js';
import { orderEventClasses, seasonBundle, seasonRefs, stableSeasonPayload } from './seasons.mapping.js';
import type { IracingSeason } from '../iracing/iracing.payloads.js';

const SAMPLES = process.env.IRACING_SAMPLES_DIR ?? join(process.cwd(), '..', 'shared', 'iracing-samples');
const seasons = (JSON.parse(readFileSync(join(SAMPLES, 'series-seasons.json'), 'utf8')) as unknown[]).map(
  (s, i) => seasonDetail(s, `[${i}]`),
);
const speeds = new Map(
  (
    JSON.parse(readFileSync(join(SAMPLES, 'carclass-get.json'), 'utf8')) as {
      car_class_id: number;
      relative_speed: number;
    }[]
  ).map((c) => [c.car_class_id, c.relative_speed]),
);

describe('seasonBundle on the recorded series/seasons', () => {
  it('maps every week, restriction and class, and the session starts of every week', () => {
    const bundles = seasons.map((s) => seasonBundle(s));
    expect(bundles.reduce((n, b) => n + b.weeks.length, 0)).toBe(527);
    expect(bundles.reduce((n, b) => n + b.restrictions.length, 0)).toBe(909);
    const first = bundles[0];
    expect(first.weeks[0]).toMatchObject({
      season_id: 5376,
      race_week_num: 0,
      track_id: 191,
      start_time: '2025-02-11T00:00:00.000Z',
      end_time: '2025-02-17T23:58:00.000Z',
      race_lap_limit: 50,
      car_class_ids: [71],
      weather_version: 1,
    });
    expect(first.weeks[0].weather_url).toMatch(/^https:\/\/scorpio-assets/);
    expect(first.weeks[0].weather).not.toHaveProperty('weather_url');
    // 00:45 every two hours, seven days: 84 sessions of 72 minutes.
    const week0 = first.instances.filter((i) => i.race_week_num === 0);
    expect(week0).toHaveLength(84);
    expect(week0[0]).toMatchObject({ start_time: '2025-02-11T00:45:00.000Z', session_minutes: 72 });
  });

  it('names the same catalog ids through seasonRefs as through the whole bundle', () => {
    for (const s of seasons) expect(seasonRefs(s)).toEqual(seasonBundle(s).refs);
  });

  it('orders a multiclass event fastest first', () => {
    const multi = seasons.find((s) => s.car_class_ids?.length === 5);
    const bundle = seasonBundle(multi as (typeof seasons)[number]);
    orderEventClasses(bundle, (id) => speeds.get(id) ?? 0);
    const week = bundle.classes
      .filter((c) => c.race_week_num === bundle.weeks[0].race_week_num)
      .sort((a, b) => a.position - b.position);
    expect(week.map((c) => [c.position, speeds.get(c.car_class_id)])).toEqual([
      [0, 52],
      [1, 51],
      [2, 49],
      [3, 45],
      [4, 42],
    ]);
  });

  it('hashes presigned weather links by their path only', () => {
    const s = seasons[0];
    const moved = structuredClone(s);
    const weather = (moved.schedules?.[0] as Record<string, Record<string, string>>).weather;
    weather.weather_url = weather.weather_url.replace(/X-Amz-Date=\w+/, 'X-Amz-Date=20250910T000000Z');
    expect(JSON.stringify(stableSeasonPayload(moved))).toBe(JSON.stringify(stableSeasonPayload(s)));
  });
});

describe('a season known from its schedule alone', () => {
  // Hand-written: GT3 class {1, 2, 3}, a newer copy of it, single-car classes, a GT4 class {4, 5}, LMP2 {6}.
  const members = new Map<number, number[]>([
    [10, [1, 2, 3]],
    [11, [1, 2, 3]],
    [1, [1]],
    [2, [2]],
    [3, [3]],
    [20, [4, 5, 9]],
    [4, [4]],
    [5, [5]],
    [30, [6]],
    [40, [1, 6]],
  ]);
  const week = (num: number, o: Record<string, unknown> = {}) => ({
    season_id: 900,
    series_id: 90,
    race_week_num: num,
    start_date: `2026-01-0${num + 1}`,
    week_end_time: `2026-01-0${num + 2}T00:00:00Z`,
    category: 'sports_car',
    category_id: 5,
    series_name: 'Retired Endurance Cup',
    season_name: 'Retired Endurance Cup - 2026 Season 1',
    track: { track_id: 7 },
    ...o,
  });
  const restrict = (...cars: number[]) => cars.map((car_id) => ({ car_id, power_adjust_pct: 0 }));
  const season = (schedules: Record<string, unknown>[]) =>
    ({ season_id: 900, series_id: 90, schedules }) as unknown as IracingSeason;

  it('covers the allowed cars with the largest classes wholly allowed, newest first, without overlap', () => {
    expect(classesForCars([1, 2, 3, 6], members)).toEqual({ classIds: [11, 30], uncovered: [] });
    // GT4 class 20 holds a car not allowed: its cars' own classes instead.
    expect(classesForCars([4, 5], members)).toEqual({ classIds: [4, 5], uncovered: [] });
    expect(classesForCars([1, 8], members)).toEqual({ classIds: [1], uncovered: [8] });
    expect(classesForCars([], members)).toEqual({ classIds: [], uncovered: [] });
  });

  it("takes its classes and event classes from its weeks' cars, and the series category from its weeks", () => {
    const s = season([
      week(0, { car_restrictions: restrict(1, 2, 3, 6) }),
      week(1, { race_week_cars: [{ car_id: 4 }, { car_id: 5 }] }),
      week(2, { car_restrictions: restrict(1, 8) }),
      week(3, { category: 'formula_car', category_id: 6 }),
    ]);
    expect(namesNoClass(s)).toBe(true);
    const b = seasonBundle(s, members);
    expect(b.series).toEqual({
      series_id: 90,
      name: 'Retired Endurance Cup',
      category: 'sports_car',
      category_id: 5,
    });
    expect(b.season).toMatchObject({ car_class_ids: [1, 4, 5, 11, 30], multiclass: true });
    expect(b.weeks.map((w) => [w.car_class_ids, w.car_ids])).toEqual([
      [[11, 30], []],
      [
        [4, 5],
        [4, 5],
      ],
      // Car 8 is in no class: the week keeps its cars, so a filter by car still finds it.
      [[1], [1, 8]],
      // A week allowing no car: the season's classes.
      [[1, 4, 5, 11, 30], []],
    ]);
    expect(b.classes.filter((c) => c.race_week_num === 0).map((c) => c.car_class_id)).toEqual([11, 30]);
    expect(b.derivedClasses).toEqual({ 0: [11, 30], 1: [4, 5], 2: [1], 3: [1, 4, 5, 11, 30] });
  });

  it('keeps the classes a payload names, and maps as before without the catalog', () => {
    const named = season([week(0, { car_restrictions: restrict(1), race_week_car_class_ids: [40] })]);
    expect(namesNoClass(named)).toBe(false);
    const b = seasonBundle(named, members);
    expect(b.weeks[0].car_class_ids).toEqual([40]);
    expect(b.derivedClasses).toBeUndefined();
    const bare = seasonBundle(season([week(0, { car_restrictions: restrict(1) })]));
    expect(bare.season.car_class_ids).toEqual([]);
    expect(bare.derivedClasses).toBeUndefined();
  });
});
