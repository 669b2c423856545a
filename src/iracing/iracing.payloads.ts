// The shapes of the iRacing payloads the importers rely on, checked on arrival (docs/architecture.md §5.5). Only the
// fields the importers read are checked; everything else passes through untouched.
import {
  anything,
  array,
  bool,
  DecodeError,
  int,
  isoDate,
  nonEmpty,
  num,
  object,
  optional,
  str,
} from './decode.js';
import type { Check, Checked } from './decode.js';
import { IracingPayloadError } from './iracing.errors.js';

/**
 * Checks part of a payload that was passed on unchecked (one season of `series/seasons`), so a malformed part
 * fails its own unit: raises IracingPayloadError naming the endpoint and the full path (`[3].schedules[2].track`).
 */
export function checkPart<T>(endpoint: string, path: string, value: unknown, check: Check<T>): T {
  try {
    return check(value, path);
  } catch (err) {
    if (err instanceof DecodeError)
      throw new IracingPayloadError(endpoint, err.path || '(root)', err.message);
    throw err;
  }
}

export const carPayload = nonEmpty(
  array(
    object({
      car_id: int,
      car_name: str,
      package_id: int,
      car_name_abbreviated: optional(str),
      car_make: optional(str),
      car_model: optional(str),
      categories: optional(array(str)),
      car_types: optional(array(object({ car_type: str }))),
      price: optional(num),
      free_with_subscription: optional(bool),
      hp: optional(num),
      car_weight: optional(num),
      min_power_adjust_pct: optional(num),
      max_power_adjust_pct: optional(num),
      max_weight_penalty_kg: optional(num),
      rain_enabled: optional(bool),
      retired: optional(bool),
      first_sale: optional(isoDate),
    }),
  ),
);
export type IracingCar = Checked<typeof carPayload>[number];

export const carClassPayload = nonEmpty(
  array(
    object({
      car_class_id: int,
      name: str,
      short_name: optional(str),
      relative_speed: optional(int),
      rain_enabled: optional(bool),
      cust_id: optional(int),
      cars_in_class: array(object({ car_id: int })),
    }),
  ),
);
export type IracingCarClass = Checked<typeof carClassPayload>[number];

export const trackPayload = nonEmpty(
  array(
    object({
      track_id: int,
      track_name: str,
      package_id: int,
      config_name: optional(str),
      category: str,
      track_types: optional(array(object({ track_type: str }))),
      track_config_length: optional(num),
      corners_per_lap: optional(int),
      grid_stalls: optional(int),
      max_cars: optional(int),
      pit_road_speed_limit: optional(num),
      night_lighting: optional(bool),
      fully_lit: optional(bool),
      rain_enabled: optional(bool),
      retired: optional(bool),
      location: optional(str),
      latitude: optional(num),
      longitude: optional(num),
      time_zone: optional(str),
      price: optional(num),
      free_with_subscription: optional(bool),
    }),
  ),
);
export type IracingTrack = Checked<typeof trackPayload>[number];

// --- Series and seasons -------------------------------------------------------------------------------------

export const seriesPayload = array(
  object({ series_id: int, series_name: str, category: optional(str), category_id: optional(int) }),
);
export type IracingSeries = Checked<typeof seriesPayload>[number];

const raceTimeDescriptor = object({
  repeating: bool,
  super_session: optional(bool),
  session_minutes: optional(int),
  first_session_time: optional(str),
  repeat_minutes: optional(int),
  day_offset: optional(array(int)),
  start_date: optional(str),
  session_times: optional(array(isoDate)),
});

const carRestriction = object({
  car_id: int,
  max_dry_tire_sets: optional(int),
  max_pct_fuel_fill: optional(num),
  power_adjust_pct: optional(num),
  weight_penalty_kg: optional(num),
  race_setup_id: optional(int),
  qual_setup_id: optional(int),
});

const raceWeekPayload = object({
  season_id: int,
  race_week_num: int,
  series_id: optional(int),
  start_date: str,
  week_end_time: optional(isoDate),
  category: optional(str),
  track: object({ track_id: int, track_name: optional(str), config_name: optional(str) }),
  race_lap_limit: optional(int),
  race_time_limit: optional(int),
  practice_length: optional(int),
  qualify_length: optional(int),
  qualify_laps: optional(int),
  warmup_length: optional(int),
  start_type: optional(str),
  restart_type: optional(str),
  schedule_name: optional(str),
  race_time_descriptors: optional(array(raceTimeDescriptor)),
  car_restrictions: optional(array(carRestriction)),
  race_week_car_class_ids: optional(array(int)),
  race_week_cars: optional(array(object({ car_id: int }))),
  weather: optional(object({ weather_url: optional(str), version: optional(int) })),
});
export type IracingRaceWeek = Checked<typeof raceWeekPayload>;

const seasonShape = {
  season_id: int,
  series_id: int,
  season_name: optional(str),
  season_short_name: optional(str),
  season_year: optional(int),
  season_quarter: optional(int),
  active: optional(bool),
  complete: optional(bool),
  official: optional(bool),
  multiclass: optional(bool),
  fixed_setup: optional(bool),
  driver_changes: optional(bool),
  license_group: optional(int),
  drops: optional(int),
  max_weeks: optional(int),
  race_week: optional(int),
  start_date: optional(isoDate),
  schedule_description: optional(str),
  car_class_ids: optional(array(int)),
  schedules: optional(array(raceWeekPayload)),
};

/**
 * `series/seasons` is checked in two steps, so that one malformed season fails alone: the envelope here
 * (ids and a list of schedules), each season in full with `seasonDetail` by the importer.
 */
export const seasonsPayload = array(
  object({ season_id: int, series_id: int, schedules: optional(array(anything)) }),
);

export const seasonDetail = object(seasonShape);
export type IracingSeason = Checked<typeof seasonDetail>;

export const seasonSchedulePayload = object({ season_id: int, schedules: array(raceWeekPayload) });

export const pastSeasonsPayload = object({
  series_id: int,
  series: object({
    seasons: array(
      object({
        season_id: int,
        series_id: int,
        season_year: optional(int),
        season_quarter: optional(int),
        active: optional(bool),
        race_weeks: optional(
          array(object({ season_id: int, race_week_num: int, track: optional(object({ track_id: int })) })),
        ),
      }),
    ),
  }),
});

export const raceGuidePayload = object({
  block_begin_time: optional(isoDate),
  block_end_time: optional(isoDate),
  sessions: array(
    object({
      season_id: int,
      series_id: int,
      race_week_num: int,
      start_time: isoDate,
      end_time: optional(isoDate),
      session_id: optional(int),
      entry_count: optional(int),
      super_session: optional(bool),
    }),
  ),
});
export type IracingRaceGuide = Checked<typeof raceGuidePayload>;

// --- Results ------------------------------------------------------------------------------------------------

const resultRow = object({
  cust_id: optional(int),
  team_id: optional(int),
  display_name: optional(str),
  car_id: optional(int),
  car_class_id: optional(int),
  finish_position: optional(int),
  laps_complete: optional(int),
  incidents: optional(int),
  best_lap_time: optional(int),
  average_lap: optional(int),
  driver_results: optional(array(object({ cust_id: int, display_name: optional(str) }))),
});

/**
 * `results/get`. A league session sends `season_id`, `series_id` and `race_week_num` 0 with its `league_id`
 * and `league_season_id`; a hosted one has no series (0 or absent) and a `session_name`.
 */
export const resultPayload = object({
  subsession_id: int,
  session_id: optional(int),
  season_id: optional(int),
  series_id: optional(int),
  race_week_num: optional(int),
  league_id: optional(int),
  league_season_id: optional(int),
  session_name: optional(str),
  start_time: isoDate,
  end_time: optional(isoDate),
  track: object({ track_id: int }),
  event_strength_of_field: optional(int),
  num_cautions: optional(int),
  num_lead_changes: optional(int),
  // Since 2024: entries and strength of field per class (-1 where not applicable).
  car_classes: optional(
    array(object({ car_class_id: int, strength_of_field: optional(int), num_entries: optional(int) })),
  ),
  session_results: array(
    object({
      simsession_number: int,
      simsession_type: optional(int),
      simsession_name: optional(str),
      results: array(resultRow),
    }),
  ),
});
export type IracingResult = Checked<typeof resultPayload>;

const lapRowsPayload = array(
  object({
    lap_number: int,
    lap_time: int,
    cust_id: optional(int),
    group_id: optional(int),
    flags: optional(int),
  }),
);
export type IracingLapRow = Checked<typeof lapRowsPayload>[number];

/**
 * `results/lap_data` once its chunks are joined: the header's fields and `rows`. A header whose `chunk_info` is
 * null or missing (a driver or team without a lap) has no rows: that is zero laps, not a malformed payload. A
 * `chunk_info` of another shape is malformed (the client joins only an object's chunks).
 */
export const lapDataPayload: Check<{ header: Record<string, unknown>; rows: IracingLapRow[] }> = (v, p) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new DecodeError(p || '(root)', 'a lap data header', v);
  const { rows, ...header } = v as Record<string, unknown>;
  if (rows !== undefined) return { header, rows: lapRowsPayload(rows, 'rows') };
  const info = header.chunk_info;
  if (info === null || info === undefined) return { header, rows: [] };
  throw new DecodeError('chunk_info', 'chunk_info (an object with the chunk files) or null', info);
};

export const seasonResultsPayload = object({
  season_id: int,
  results_list: array(
    object({
      subsession_id: int,
      session_id: optional(int),
      start_time: isoDate,
      race_week_num: int,
      num_drivers: optional(int),
      // -1 where not applicable.
      event_strength_of_field: optional(int),
    }),
  ),
});

export type SeasonResultsData = Checked<typeof seasonResultsPayload>;

export const searchSeriesRowsPayload = array(
  object({
    subsession_id: int,
    session_id: optional(int),
    season_id: int,
    series_id: int,
    race_week_num: int,
    start_time: isoDate,
    end_time: optional(isoDate),
  }),
);

// --- Members and constants ----------------------------------------------------------------------------------

const packages = optional(array(object({ package_id: int, content_ids: optional(array(int)) })));

/**
 * The flair as member/info and member/get give it: member/get sends `flair_shortname` and may omit
 * `flair_country_code`.
 */
const flair = {
  flair_id: optional(int),
  flair_name: optional(str),
  flair_shortname: optional(str),
  flair_country_code: optional(str),
};

/** A license as the members importer merges it (by category): the rest of its fields are kept as given. */
const memberLicense = object({ category_id: optional(int), category: optional(str) });

export const memberInfoPayload = object({
  cust_id: int,
  display_name: optional(str),
  ...flair,
  car_packages: packages,
  track_packages: packages,
});
export type IracingMemberInfo = Checked<typeof memberInfoPayload>;

export const membersPayload = object({
  members: array(
    object({ cust_id: int, display_name: optional(str), ...flair, licenses: optional(array(memberLicense)) }),
  ),
});

export const memberSummaryPayload = object({ cust_id: int });

export const recentRacesPayload = object({
  cust_id: int,
  races: array(
    object({
      subsession_id: int,
      season_id: optional(int),
      series_id: optional(int),
      session_start_time: optional(isoDate),
    }),
  ),
});

export const eventTypesPayload = array(object({ label: str, value: int }));

export const forecastPayload = array(
  object({
    time_offset: int,
    timestamp: isoDate,
    affects_session: optional(bool),
    air_temp: optional(int),
    precip_chance: optional(int),
    wind_speed: optional(int),
  }),
);
export type IracingForecastRow = Checked<typeof forecastPayload>[number];
