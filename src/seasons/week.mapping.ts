// Pure mapping of one race week of a season's schedule to its rows: the week, its BOP restrictions, its event's
// classes and its predicted sessions (from `race_time_descriptors`). No I/O; seasons.mapping.ts maps the season
// around it and decides the week's classes and cars.
import type { IracingRaceWeek } from '../iracing/iracing.payloads.js';
import { intOrNull, numOrNull, omit, text } from './payload-values.js';
import type { Raw } from './payload-values.js';
import { sessionStarts } from './session-times.js';
import type { RaceTimeDescriptor } from './session-times.js';
import { normaliseWeatherSummary } from './weather-summary.js';

const DAY = 86_400_000;

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

/** The BOP values of a restriction: a difference in any of them is a change kept in the history. */
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

/** The rows of one week. */
export interface WeekParts {
  week: WeekRow;
  restrictions: RestrictionRow[];
  classes: EventClassRow[];
  instances: InstanceRow[];
}

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

function weekRow(
  season: { season_id: number; series_id: number },
  w: IracingRaceWeek,
  span: { start: number; end: number },
  classIds: number[],
  carIds: number[],
): WeekRow {
  const wr = w as Raw;
  const weather = (wr.weather as Raw | null | undefined) ?? null;
  return {
    season_id: season.season_id,
    series_id: season.series_id,
    race_week_num: w.race_week_num,
    track_id: w.track.track_id,
    start_time: new Date(span.start).toISOString(),
    end_time: new Date(span.end).toISOString(),
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
    car_class_ids: classIds,
    car_ids: carIds,
    race_time_descriptors: w.race_time_descriptors ?? [],
    track_state: (wr.track_state as Raw | null | undefined) ?? null,
    weather: weather ? omit(weather, ['weather_url', 'weather_summary']) : null,
    weather_summary: normaliseWeatherSummary(weather?.weather_summary),
    weather_url: text(weather?.weather_url),
    weather_version: intOrNull(weather?.version),
    raw: omit(wr, WEEK_COLUMNS),
  };
}

function restrictionRows(w: IracingRaceWeek): RestrictionRow[] {
  return (w.car_restrictions ?? []).map((c) => ({
    race_week_num: w.race_week_num,
    car_id: c.car_id,
    max_dry_tire_sets: intOrNull(c.max_dry_tire_sets),
    max_pct_fuel_fill: numOrNull(c.max_pct_fuel_fill),
    power_adjust_pct: numOrNull(c.power_adjust_pct),
    weight_penalty_kg: numOrNull(c.weight_penalty_kg),
    race_setup_id: intOrNull(c.race_setup_id),
    qual_setup_id: intOrNull(c.qual_setup_id),
  }));
}

/** The week's predicted sessions; throws naming the season and week when its descriptors cannot be read. */
function instanceRows(seasonId: number, w: IracingRaceWeek, span: { start: number; end: number }) {
  try {
    return sessionStarts(
      (w.race_time_descriptors ?? []) as RaceTimeDescriptor[],
      new Date(span.start),
      new Date(span.end),
    ).map((st): InstanceRow => ({
      race_week_num: w.race_week_num,
      start_time: st.start.toISOString(),
      end_time: st.end?.toISOString() ?? null,
      session_minutes: st.sessionMinutes,
      super_session: st.superSession,
    }));
  } catch (err) {
    throw new Error(
      `season ${seasonId} week ${w.race_week_num}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}

/**
 * The rows of one week with the classes and cars the season decided for it; event classes keep the order of
 * `classIds` until `orderEventClasses` sorts them. Throws, naming the season and week, when the week cannot be
 * placed in time.
 */
export function weekParts(
  season: { season_id: number; series_id: number },
  w: IracingRaceWeek,
  classIds: number[],
  carIds: number[],
): WeekParts {
  const start = weekStart(w);
  const span = { start, end: w.week_end_time ? Date.parse(w.week_end_time) : start + 7 * DAY };
  return {
    week: weekRow(season, w, span, classIds, carIds),
    restrictions: restrictionRows(w),
    classes: [...new Set(classIds)].map((id, position) => ({
      race_week_num: w.race_week_num,
      car_class_id: id,
      position,
      car_ids: carIds,
    })),
    instances: instanceRows(season.season_id, w, span),
  };
}
