// Pure mapping of iRacing series and season payloads to the rows the seasons importer upserts. No I/O: the
// importer checks the payload, looks up what the rows refer to, and writes them.
import type { IracingRaceWeek, IracingSeason, IracingSeries } from '../iracing/iracing.payloads.js';
import { sessionStarts } from './session-times.js';
import { normaliseWeatherSummary } from './weather-summary.js';
import type { RaceTimeDescriptor } from './session-times.js';

type Raw = Record<string, unknown>;
const DAY = 86_400_000;

const omit = (o: Raw, keys: readonly string[]): Raw => {
  const out: Raw = {};
  for (const [k, v] of Object.entries(o)) if (!keys.includes(k)) out[k] = v;
  return out;
};
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const intOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const boolOr = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback);

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

export interface WeekRow extends Raw {
  season_id: number;
  series_id: number;
  race_week_num: number;
  track_id: number;
  start_time: string;
  end_time: string;
  car_class_ids: number[];
  car_ids: number[];
  weather_url: string | null;
}

export interface RestrictionRow extends Raw {
  race_week_num: number;
  car_id: number;
  max_dry_tire_sets: number | null;
  max_pct_fuel_fill: number | null;
  power_adjust_pct: number | null;
  weight_penalty_kg: number | null;
  race_setup_id: number | null;
  qual_setup_id: number | null;
}

export const RESTRICTION_VALUES = [
  'max_dry_tire_sets',
  'max_pct_fuel_fill',
  'power_adjust_pct',
  'weight_penalty_kg',
  'race_setup_id',
  'qual_setup_id',
] as const;

export interface EventClassRow extends Raw {
  race_week_num: number;
  car_class_id: number;
  position: number;
  car_ids: number[];
}

export interface InstanceRow extends Raw {
  race_week_num: number;
  start_time: string;
  end_time: string | null;
  session_minutes: number | null;
  super_session: boolean;
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

/** The catalog's classes (car_class_car): each class id with the ids of its cars. */
export type CarClassMembers = ReadonlyMap<number, readonly number[]>;

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

const WEEK_COLUMNS = [
  'season_id',
  'series_id',
  'race_week_num',
  'track',
  'start_date',
  'week_end_time',
  'category',
  'schedule_name',
  'race_lap_limit',
  'race_time_limit',
  'practice_length',
  'qualify_length',
  'qualify_laps',
  'warmup_length',
  'start_type',
  'restart_type',
  'race_week_car_class_ids',
  'race_week_cars',
  'race_time_descriptors',
  'car_restrictions',
  'track_state',
  'weather',
  // Repeated from the season on every week.
  'season_name',
  'series_name',
];

/** The week's start: its `start_date` at 00:00 UTC. */
function weekStart(w: IracingRaceWeek): number {
  const ms = Date.parse(`${w.start_date.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`season ${w.season_id} week ${w.race_week_num}: bad start_date`);
  return ms;
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
  const r = s as Raw;
  const schedules = s.schedules ?? [];
  const derive = members !== undefined && namesNoClass(s);
  const derived = new Map<number, { classIds: number[]; carIds: number[] }>();
  if (derive) {
    for (const w of schedules) {
      const cars = weekCars(w);
      if (cars.length === 0) continue;
      const { classIds, uncovered } = classesForCars(cars, members);
      derived.set(w.race_week_num, { classIds, carIds: uncovered.length ? cars : [] });
    }
  }
  const seasonClassIds = derive
    ? [...new Set([...derived.values()].flatMap((d) => d.classIds))].sort((a, b) => a - b)
    : (s.car_class_ids ?? []);
  const multiclass = derive
    ? [...derived.values()].some((d) => d.classIds.length > 1)
    : seasonClassIds.length > 1;
  const seriesName = text(schedules[0]?.series_name) ?? `Series ${s.series_id}`;
  const season: SeasonRow = {
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
    car_class_ids: seasonClassIds,
    drops: intOrNull(s.drops),
    max_weeks: intOrNull(s.max_weeks),
    current_race_week: intOrNull(s.race_week),
    start_date: text(s.start_date),
    schedule_description: text(s.schedule_description),
    driver_changes: boolOr(s.driver_changes, false),
    raw: omit(r, SEASON_COLUMNS),
  };

  const weeks: WeekRow[] = [];
  const restrictions: RestrictionRow[] = [];
  const classes: EventClassRow[] = [];
  const instances: InstanceRow[] = [];
  const trackIds = new Set<number>();
  const carIds = new Set<number>();
  const carClassIds = new Set<number>(seasonClassIds);

  for (const w of schedules) {
    const wr = w as Raw;
    const start = weekStart(w);
    const end = w.week_end_time ? Date.parse(w.week_end_time) : start + 7 * DAY;
    const fromCars = derived.get(w.race_week_num);
    const weekClassIds = fromCars
      ? fromCars.classIds
      : w.race_week_car_class_ids?.length
        ? w.race_week_car_class_ids
        : seasonClassIds;
    const listed = (w.race_week_cars ?? []).map((c) => c.car_id);
    const weekCarIds = listed.length ? listed : (fromCars?.carIds ?? []);
    const weather = (wr.weather as Raw | null | undefined) ?? null;
    weeks.push({
      season_id: s.season_id,
      series_id: s.series_id,
      race_week_num: w.race_week_num,
      track_id: w.track.track_id,
      start_time: new Date(start).toISOString(),
      end_time: new Date(end).toISOString(),
      category: text(w.category),
      schedule_name: text(w.schedule_name),
      race_lap_limit: intOrNull(w.race_lap_limit),
      race_time_limit: intOrNull(w.race_time_limit),
      practice_length: intOrNull(w.practice_length),
      qualify_length: intOrNull(w.qualify_length),
      qualify_laps: intOrNull(w.qualify_laps),
      warmup_length: intOrNull(w.warmup_length),
      start_type: text(w.start_type),
      restart_type: text(w.restart_type),
      car_class_ids: weekClassIds,
      car_ids: weekCarIds,
      race_time_descriptors: w.race_time_descriptors ?? [],
      track_state: (wr.track_state as Raw | null | undefined) ?? null,
      weather: weather ? omit(weather, ['weather_url', 'weather_summary']) : null,
      weather_summary: normaliseWeatherSummary(weather?.weather_summary),
      weather_url: text(weather?.weather_url),
      weather_version: intOrNull(weather?.version),
      raw: omit(wr, WEEK_COLUMNS),
    });
    trackIds.add(w.track.track_id);
    for (const id of weekClassIds) carClassIds.add(id);
    for (const id of weekCarIds) carIds.add(id);

    for (const c of w.car_restrictions ?? []) {
      carIds.add(c.car_id);
      restrictions.push({
        race_week_num: w.race_week_num,
        car_id: c.car_id,
        max_dry_tire_sets: intOrNull(c.max_dry_tire_sets),
        max_pct_fuel_fill: numOrNull(c.max_pct_fuel_fill),
        power_adjust_pct: numOrNull(c.power_adjust_pct),
        weight_penalty_kg: numOrNull(c.weight_penalty_kg),
        race_setup_id: intOrNull(c.race_setup_id),
        qual_setup_id: intOrNull(c.qual_setup_id),
      });
    }

    [...new Set(weekClassIds)].forEach((id, position) =>
      classes.push({ race_week_num: w.race_week_num, car_class_id: id, position, car_ids: weekCarIds }),
    );

    let starts;
    try {
      starts = sessionStarts(
        (w.race_time_descriptors ?? []) as RaceTimeDescriptor[],
        new Date(start),
        new Date(end),
      );
    } catch (err) {
      throw new Error(
        `season ${s.season_id} week ${w.race_week_num}: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    for (const st of starts) {
      instances.push({
        race_week_num: w.race_week_num,
        start_time: st.start.toISOString(),
        end_time: st.end?.toISOString() ?? null,
        session_minutes: st.sessionMinutes,
        super_session: st.superSession,
      });
    }
  }

  return {
    series: { series_id: s.series_id, name: seriesName, ...weeksCategory(schedules) },
    season,
    weeks,
    restrictions,
    classes,
    instances,
    refs: { trackIds: [...trackIds], carIds: [...carIds], carClassIds: [...carClassIds] },
    ...(derive
      ? { derivedClasses: Object.fromEntries(weeks.map((w) => [w.race_week_num, w.car_class_ids])) }
      : {}),
  };
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
