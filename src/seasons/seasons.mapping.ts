// Pure mapping of iRacing series and season payloads to the rows the seasons importer upserts. No I/O: the
// importer checks the payload, looks up what the rows refer to, and writes them. One week's rows are mapped in
// week.mapping.ts; the classes of a season that names none are derived in season-classes.ts.
import type { IracingRaceWeek, IracingSeason, IracingSeries } from '../iracing/iracing.payloads.js';
import { boolOr, intOrNull, omit, text } from './payload-values.js';
import type { Raw } from './payload-values.js';
import { deriveWeekClasses } from './season-classes.js';
import type { CarClassMembers, DerivedWeekClasses } from './season-classes.js';
import { weekParts } from './week.mapping.js';
import type { EventClassRow, InstanceRow, RestrictionRow, WeekRow } from './week.mapping.js';

export interface SeriesRow extends Raw {
  series_id: number;
  name: string;
  short_name: string | null;
  category: string | null;
  category_id: number | null;
  eligible: boolean | null;
  min_starters: number | null;
  max_starters: number | null;
  forum_url: string | null;
  allowed_licenses: unknown[];
  raw: Raw;
}

const SERIES_COLUMNS = [
  'series_id',
  'series_name',
  'series_short_name',
  'category',
  'category_id',
  'eligible',
  'min_starters',
  'max_starters',
  'forum_url',
  'allowed_licenses',
];

export function seriesRow(s: IracingSeries): SeriesRow {
  const r = s as Raw;
  return {
    series_id: s.series_id,
    name: s.series_name,
    short_name: text(r.series_short_name),
    category: text(s.category),
    category_id: intOrNull(s.category_id),
    eligible: typeof r.eligible === 'boolean' ? r.eligible : null,
    min_starters: intOrNull(r.min_starters),
    max_starters: intOrNull(r.max_starters),
    forum_url: text(r.forum_url),
    allowed_licenses: Array.isArray(r.allowed_licenses) ? r.allowed_licenses : [],
    raw: omit(r, SERIES_COLUMNS),
  };
}

export interface SeasonRow extends Raw {
  season_id: number;
  series_id: number;
  name: string;
  year: number | null;
  quarter: number | null;
  official: boolean;
  car_class_ids: number[];
}

/**
 * The series as its season's schedule describes it: what a series that `series/get` does not list (a retired
 * one) is created with. Its category is that of most of its weeks.
 */
export interface ScheduleSeries {
  series_id: number;
  name: string;
  category: string | null;
  category_id: number | null;
}

/** Everything one season writes, plus the catalog ids it refers to. */
export interface SeasonBundle {
  series: ScheduleSeries;
  season: SeasonRow;
  weeks: WeekRow[];
  restrictions: RestrictionRow[];
  classes: EventClassRow[];
  instances: InstanceRow[];
  refs: { trackIds: number[]; carIds: number[]; carClassIds: number[] };
  /**
   * Set when the payload names no car class at all (a season known only from `series/season_schedule`): the
   * classes each week got from the cars it allows, as `{race_week_num: class ids}`.
   */
  derivedClasses?: Record<number, number[]>;
}

/** The category most of the weeks have (the latest week's among equals), with its id. */
function weeksCategory(weeks: readonly IracingRaceWeek[]): {
  category: string | null;
  category_id: number | null;
} {
  const seen = new Map<string, { n: number; id: number | null; last: number }>();
  weeks.forEach((w, i) => {
    const category = text(w.category);
    if (!category) return;
    const entry = seen.get(category) ?? { n: 0, id: null, last: i };
    entry.n++;
    entry.last = i;
    entry.id = intOrNull((w as Raw).category_id) ?? entry.id;
    seen.set(category, entry);
  });
  let best: [string, { n: number; id: number | null; last: number }] | undefined;
  for (const e of seen.entries())
    if (!best || e[1].n > best[1].n || (e[1].n === best[1].n && e[1].last > best[1].last)) best = e;
  return { category: best?.[0] ?? null, category_id: best?.[1].id ?? null };
}

const SEASON_COLUMNS = [
  'season_id',
  'series_id',
  'season_name',
  'season_short_name',
  'season_year',
  'season_quarter',
  'active',
  'complete',
  'official',
  'multiclass',
  'fixed_setup',
  'license_group',
  'car_class_ids',
  'drops',
  'max_weeks',
  'race_week',
  'start_date',
  'schedule_description',
  'driver_changes',
  'schedules',
];

/** The season's row, with the car classes it was found to have (named, or derived from its weeks' cars). */
function seasonRow(s: IracingSeason, classIds: number[], multiclass: boolean, seriesName: string): SeasonRow {
  const schedules = s.schedules ?? [];
  return {
    season_id: s.season_id,
    series_id: s.series_id,
    name: text(s.season_name) ?? text(schedules[0]?.season_name) ?? `${seriesName} season ${s.season_id}`,
    short_name: text(s.season_short_name),
    year: intOrNull(s.season_year),
    quarter: intOrNull(s.season_quarter),
    active: boolOr(s.active, false),
    complete: boolOr(s.complete, false),
    official: boolOr(s.official, true),
    multiclass: boolOr(s.multiclass, multiclass),
    fixed_setup: boolOr(s.fixed_setup, false),
    license_group: intOrNull(s.license_group),
    car_class_ids: classIds,
    drops: intOrNull(s.drops),
    max_weeks: intOrNull(s.max_weeks),
    current_race_week: intOrNull(s.race_week),
    start_date: text(s.start_date),
    schedule_description: text(s.schedule_description),
    driver_changes: boolOr(s.driver_changes, false),
    raw: omit(s as Raw, SEASON_COLUMNS),
  };
}

/** A week's classes and cars: derived from its cars, else the ones it names, else the season's classes. */
function weekClassesAndCars(
  w: IracingRaceWeek,
  derived: DerivedWeekClasses | undefined,
  seasonClassIds: number[],
): { classIds: number[]; carIds: number[] } {
  const classIds = derived
    ? derived.classIds
    : w.race_week_car_class_ids?.length
      ? w.race_week_car_class_ids
      : seasonClassIds;
  const listed = (w.race_week_cars ?? []).map((c) => c.car_id);
  return { classIds, carIds: listed.length ? listed : (derived?.carIds ?? []) };
}

/**
 * Maps one season (checked with `seasonDetail`) to its rows; event classes keep iRacing's order until
 * `orderEventClasses` sorts them. Throws, naming the season and week, when a week cannot be placed in time.
 * A season whose payload names no car class (`namesNoClass`) takes its classes from the cars its weeks allow,
 * through `members` (the catalog's classes of those cars): each week the classes covering its cars
 * (`classesForCars`; a week listing no car, the season's), the season the union of its weeks'. A week with a
 * car no such class covers keeps its allowed cars in `car_ids`, so a filter by car still finds it.
 */
export function seasonBundle(s: IracingSeason, members?: CarClassMembers): SeasonBundle {
  const schedules = s.schedules ?? [];
  const derived = deriveWeekClasses(s, members);
  const seasonClassIds = derived
    ? [...new Set([...derived.values()].flatMap((d) => d.classIds))].sort((a, b) => a - b)
    : (s.car_class_ids ?? []);
  const multiclass = derived
    ? [...derived.values()].some((d) => d.classIds.length > 1)
    : seasonClassIds.length > 1;
  const seriesName = text(schedules[0]?.series_name) ?? `Series ${s.series_id}`;
  const bundle: SeasonBundle = {
    series: { series_id: s.series_id, name: seriesName, ...weeksCategory(schedules) },
    season: seasonRow(s, seasonClassIds, multiclass, seriesName),
    weeks: [],
    restrictions: [],
    classes: [],
    instances: [],
    refs: { trackIds: [], carIds: [], carClassIds: [] },
  };
  const trackIds = new Set<number>();
  const carIds = new Set<number>();
  const carClassIds = new Set<number>(seasonClassIds);
  for (const w of schedules) {
    const week = weekClassesAndCars(w, derived?.get(w.race_week_num), seasonClassIds);
    const parts = weekParts(s, w, week.classIds, week.carIds);
    bundle.weeks.push(parts.week);
    bundle.restrictions.push(...parts.restrictions);
    bundle.classes.push(...parts.classes);
    bundle.instances.push(...parts.instances);
    trackIds.add(w.track.track_id);
    for (const id of week.classIds) carClassIds.add(id);
    for (const id of [...week.carIds, ...parts.restrictions.map((r) => r.car_id)]) carIds.add(id);
  }
  bundle.refs = { trackIds: [...trackIds], carIds: [...carIds], carClassIds: [...carClassIds] };
  if (derived)
    bundle.derivedClasses = Object.fromEntries(bundle.weeks.map((w) => [w.race_week_num, w.car_class_ids]));
  return bundle;
}

/**
 * The catalog ids a season names (tracks, cars, classes): the `refs` of its bundle, without mapping its rows,
 * so an importer can check the catalog for many seasons before mapping each one in turn.
 */
export function seasonRefs(s: IracingSeason): SeasonBundle['refs'] {
  const seasonClassIds = s.car_class_ids ?? [];
  const trackIds = new Set<number>();
  const carIds = new Set<number>();
  const carClassIds = new Set<number>(seasonClassIds);
  for (const w of s.schedules ?? []) {
    trackIds.add(w.track.track_id);
    const weekClassIds = w.race_week_car_class_ids?.length ? w.race_week_car_class_ids : seasonClassIds;
    for (const id of weekClassIds) carClassIds.add(id);
    for (const c of w.race_week_cars ?? []) carIds.add(c.car_id);
    for (const c of w.car_restrictions ?? []) carIds.add(c.car_id);
  }
  return { trackIds: [...trackIds], carIds: [...carIds], carClassIds: [...carClassIds] };
}

/** Orders each event's classes fastest first (by relative speed, then id) and renumbers their positions. */
export function orderEventClasses(bundle: SeasonBundle, relativeSpeed: (carClassId: number) => number): void {
  const byWeek = new Map<number, EventClassRow[]>();
  for (const c of bundle.classes) {
    const list = byWeek.get(c.race_week_num) ?? [];
    list.push(c);
    byWeek.set(c.race_week_num, list);
  }
  for (const list of byWeek.values()) {
    list.sort(
      (a, b) =>
        relativeSpeed(b.car_class_id) - relativeSpeed(a.car_class_id) || a.car_class_id - b.car_class_id,
    );
    list.forEach((c, i) => (c.position = i));
  }
}

/** A payload for hashing: presigned weather links change on every read, so only their path counts. */
export function stableSeasonPayload(s: IracingSeason): unknown {
  return {
    ...s,
    schedules: (s.schedules ?? []).map((w) => {
      const weather = (w as Raw).weather as Raw | null | undefined;
      if (!weather || typeof weather.weather_url !== 'string') return w;
      return { ...w, weather: { ...weather, weather_url: weather.weather_url.split('?')[0] } };
    }),
  };
}
