// Pure mapping from iRacing catalog payloads to table rows (no I/O), so it is unit-testable.
import type { IracingCar, IracingCarClass, IracingTrack } from '../iracing/iracing.payloads.js';

const PREFIX = /^\s*\[(retired|legacy)\]\s*/i;
const YEAR_SUFFIX = /\s+-\s+\d{4}\s*$/;

/** `[Legacy] Charlotte Motor Speedway - 2008` → `Charlotte Motor Speedway`. */
export function baseName(name: string): string {
  return name.replace(PREFIX, '').replace(YEAR_SUFFIX, '').trim();
}

const clean = (s: string | null | undefined): string | null => (s && s.trim() ? s.trim() : null);

export function carModelOf(car: IracingCar): {
  key: string;
  make: string | null;
  model: string | null;
  name: string;
} {
  const make = clean(car.car_make);
  const model = clean(car.car_model);
  if (make && model) return { key: `${make}|${model}`.toLowerCase(), make, model, name: `${make} ${model}` };
  const name = baseName(car.car_name);
  return { key: `name:${name.toLowerCase()}`, make, model, name };
}

export function carRows(cars: IracingCar[]) {
  const models = new Map<string, ReturnType<typeof carModelOf>>();
  const simCars = cars.map((car) => {
    const m = carModelOf(car);
    if (!models.has(m.key) || !car.retired) models.set(m.key, m);
    return {
      car_id: car.car_id,
      car_model_key: m.key,
      package_id: car.package_id,
      name: car.car_name,
      abbreviation: clean(car.car_name_abbreviated),
      categories: car.categories ?? [],
      car_types: (car.car_types ?? []).map((t) => t.car_type),
      price: car.price ?? null,
      free_with_subscription: car.free_with_subscription ?? false,
      hp: car.hp ?? null,
      weight_lbs: car.car_weight ?? null,
      min_power_adjust_pct: car.min_power_adjust_pct ?? null,
      max_power_adjust_pct: car.max_power_adjust_pct ?? null,
      max_weight_penalty_kg: car.max_weight_penalty_kg ?? null,
      rain_enabled: car.rain_enabled ?? false,
      retired: car.retired ?? false,
      first_sale: car.first_sale ?? null,
      raw: car,
    };
  });
  return { carModels: [...models.values()], simCars };
}

export function carClassRows(classes: IracingCarClass[]) {
  const carClasses = classes.map((c) => ({
    car_class_id: c.car_class_id,
    name: c.name,
    short_name: clean(c.short_name),
    relative_speed: c.relative_speed ?? null,
    rain_enabled: c.rain_enabled ?? false,
    cust_id: c.cust_id ?? 0,
  }));
  const members = classes.flatMap((c) =>
    c.cars_in_class.map((m) => ({ car_class_id: c.car_class_id, car_id: m.car_id })),
  );
  return { carClasses, members };
}

export function trackRows(tracks: IracingTrack[]) {
  const byPackage = new Map<number, IracingTrack[]>();
  for (const t of tracks) {
    const list = byPackage.get(t.package_id) ?? [];
    list.push(t);
    byPackage.set(t.package_id, list);
  }
  const models = new Map<string, Record<string, unknown>>();
  const simTracks = [...byPackage.entries()].map(([packageId, configs]) => {
    const first = configs.find((c) => !c.retired) ?? configs[0];
    const retired = configs.every((c) => c.retired ?? false);
    const name = baseName(first.track_name);
    const key = name.toLowerCase();
    const model = {
      key,
      name,
      location: clean(first.location),
      latitude: first.latitude ?? null,
      longitude: first.longitude ?? null,
      time_zone: clean(first.time_zone),
    };
    if (!models.has(key) || !retired) models.set(key, model);
    return {
      package_id: packageId,
      track_model_key: key,
      name: first.track_name,
      location: model.location,
      latitude: model.latitude,
      longitude: model.longitude,
      time_zone: model.time_zone,
      price: first.price ?? null,
      free_with_subscription: first.free_with_subscription ?? false,
      retired,
    };
  });
  const layouts = tracks.map((t) => ({
    track_id: t.track_id,
    package_id: t.package_id,
    track_name: t.track_name,
    config_name: clean(t.config_name),
    category: t.category,
    track_types: (t.track_types ?? []).map((x) => x.track_type),
    length_miles: t.track_config_length ?? null,
    corners_per_lap: t.corners_per_lap ?? null,
    grid_stalls: t.grid_stalls ?? null,
    max_cars: t.max_cars ?? null,
    pit_road_speed_limit: t.pit_road_speed_limit ?? null,
    night_lighting: t.night_lighting ?? false,
    fully_lit: t.fully_lit ?? false,
    rain_enabled: t.rain_enabled ?? false,
    retired: t.retired ?? false,
    raw: t,
  }));
  return { trackModels: [...models.values()], simTracks, layouts };
}
