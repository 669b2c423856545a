// The car classes of a season whose payload names none (one known from `series/season_schedule` alone): each
// week's classes are taken from the cars it allows, through the catalog's classes of those cars. Pure: the
// importer looks the classes up (CatalogRefsService.classesOfCars) and passes them in.
import type { IracingRaceWeek, IracingSeason } from '../iracing/iracing.payloads.js';

/** The catalog's classes (car_class_car): each class id with the ids of its cars. */
export type CarClassMembers = ReadonlyMap<number, readonly number[]>;

/** A week's classes taken from its cars, and its allowed cars when some are in no such class (else empty). */
export interface DerivedWeekClasses {
  classIds: number[];
  carIds: number[];
}

/**
 * The car classes that cover a set of allowed cars, as a multiclass grid would: only classes whose every car is
 * allowed, the largest first (then the newest, the highest id, as iRacing adds a class per season), each taken
 * when none of its cars is covered yet, so the classes chosen do not overlap. `uncovered`: allowed cars no such
 * class holds (a car in no class, or only in classes with cars not allowed).
 */
export function classesForCars(
  carIds: readonly number[],
  members: CarClassMembers,
): { classIds: number[]; uncovered: number[] } {
  const allowed = new Set(carIds);
  const candidates = [...members.entries()]
    .filter(([, cars]) => cars.length > 0 && cars.every((c) => allowed.has(c)))
    .sort(([a, ac], [b, bc]) => bc.length - ac.length || b - a);
  const covered = new Set<number>();
  const classIds: number[] = [];
  for (const [id, cars] of candidates) {
    if (cars.some((c) => covered.has(c))) continue;
    classIds.push(id);
    for (const c of cars) covered.add(c);
  }
  return { classIds: classIds.sort((a, b) => a - b), uncovered: [...allowed].filter((c) => !covered.has(c)) };
}

/** The cars a week allows: its `race_week_cars` and the cars its BOP table lists. */
export function weekCars(w: IracingRaceWeek): number[] {
  return [
    ...new Set([
      ...(w.race_week_cars ?? []).map((c) => c.car_id),
      ...(w.car_restrictions ?? []).map((c) => c.car_id),
    ]),
  ];
}

/** Whether a season's payload names no car class (neither the season nor any week): its classes come from cars. */
export function namesNoClass(s: IracingSeason): boolean {
  return !s.car_class_ids?.length && !(s.schedules ?? []).some((w) => w.race_week_car_class_ids?.length);
}

/**
 * Each week's classes from its cars (`classesForCars`), by race_week_num, for a season that names none; a week
 * allowing no car is left out (it takes the season's). Undefined when the season names classes or no catalog
 * classes were given.
 */
export function deriveWeekClasses(
  s: IracingSeason,
  members: CarClassMembers | undefined,
): Map<number, DerivedWeekClasses> | undefined {
  if (members === undefined || !namesNoClass(s)) return undefined;
  const derived = new Map<number, DerivedWeekClasses>();
  for (const w of s.schedules ?? []) {
    const cars = weekCars(w);
    if (cars.length === 0) continue;
    const { classIds, uncovered } = classesForCars(cars, members);
    derived.set(w.race_week_num, { classIds, carIds: uncovered.length ? cars : [] });
  }
  return derived;
}
