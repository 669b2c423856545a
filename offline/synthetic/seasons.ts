// Synthetic seasons: the plan of a series' season in a quarter (its race weeks, each with a catalog track of the
// series' category, the week's classes and cars, race length and session length), the session start times its
// race time descriptors generate, and the season payloads built from the plans: series/seasons,
// series/season_list, series/season_schedule, series/past_seasons and season/list rows, shaped like the
// recorded samples in ../shared/iracing-samples.
import {
  CATEGORY_IDS,
  clock,
  DAY,
  hash,
  isoDay,
  isoTime,
  MINUTE,
  numberOfQuarter,
  quarterStart,
  WEEK,
  yearOfQuarter,
  type Row,
} from './common.js';
import { Rng } from './random.js';
import { lapSeconds, type SeriesPlan, type Timing } from './series.js';
import { forecastPath, prepareWeather, weekWeatherBlock, type WeekWeatherInput } from './weather.js';
import type { World } from './world.js';

export interface WeekPlan {
  num: number;
  /** Tuesday 00:00 UTC of the week. */
  start: number;
  track: Row;
  classIds: number[];
  carIds: number[];
  /** The class's lap time on this track, seconds (the fastest class of a multiclass field). */
  lapSec: number;
  raceLaps: number | null;
  raceTimeLimit: number | null;
  sessionMinutes: number;
  fieldSize: number;
  weatherVersion: number;
  timing: Timing;
  starts?: number[];
  memo?: WeekWeatherInput['memo'];
}

export interface SeasonPlan {
  seasonId: number;
  series: SeriesPlan;
  qi: number;
  year: number;
  quarter: number;
  start: number;
  weeks: WeekPlan[];
}

/** Plans a series' season in a quarter; undefined when the catalog has no track of its category. */
export function planSeason(
  world: World,
  series: SeriesPlan,
  qi: number,
  seasonId: number,
): SeasonPlan | undefined {
  const pool = world.tracksByCategory.get(series.trackCategory) ?? [];
  if (pool.length === 0) return undefined;
  const start = quarterStart(qi);
  const gap = Math.round((quarterStart(qi + 1) - start) / WEEK);
  const count = Math.min(series.weeks, gap);
  const rng = new Rng(hash(world.seed, 601, series.index, qi));
  const order = rng.sample(pool, Math.min(pool.length, count));
  const classOffset = rng.int(0, series.classIds.length - 1);
  const weeks: WeekPlan[] = [];
  for (let num = 0; num < count; num++) {
    const track = order[num % order.length];
    const classIds = series.rotating
      ? [series.classIds[(num + classOffset) % series.classIds.length]]
      : series.classIds;
    const carIds: number[] = [];
    let speed = 0;
    for (const id of classIds) {
      const cls = world.classes.get(id);
      if (!cls) continue;
      speed = Math.max(speed, cls.relative_speed as number);
      for (const c of cls.cars_in_class as Row[]) {
        const carId = c.car_id as number;
        if (series.carIds.includes(carId) && !carIds.includes(carId)) carIds.push(carId);
      }
    }
    carIds.sort((a, b) => a - b);
    const lapSec = lapSeconds(track, speed);
    let raceLaps: number | null = null;
    let raceTimeLimit: number | null = null;
    let raceMinutes: number;
    if (series.lapLimited) {
      raceLaps = Math.max(3, Math.round((series.raceMinutes * 60) / lapSec));
      raceMinutes = (raceLaps * lapSec * 1.05) / 60;
    } else {
      raceTimeLimit = series.raceMinutes;
      raceMinutes = series.raceMinutes + (lapSec * 1.5) / 60;
    }
    weeks.push({
      num,
      start: start + num * WEEK,
      track,
      classIds,
      carIds,
      lapSec,
      raceLaps,
      raceTimeLimit,
      sessionMinutes:
        series.practiceLength + series.qualifyLength + series.warmupLength + Math.ceil(raceMinutes) + 4,
      fieldSize: Math.max(2, Math.min(series.maxStarters, (track.max_cars as number | undefined) ?? 60)),
      weatherVersion: rng.bool(0.85) ? 1 : 2,
      timing: series.timing,
    });
  }
  return {
    seasonId,
    series,
    qi,
    year: yearOfQuarter(qi),
    quarter: numberOfQuarter(qi),
    start,
    weeks,
  };
}

/** The week's session start times (ms, ascending), as its race time descriptors generate them. */
export function weekStarts(week: WeekPlan): number[] {
  if (week.starts) return week.starts;
  const out: number[] = [];
  const t = week.timing;
  if (t.kind === 'repeating') {
    for (const d of t.days) {
      const dayStart = week.start + d * DAY;
      for (let m = t.firstMinute; m < 1440; m += t.repeat) out.push(dayStart + m * MINUTE);
    }
  } else {
    for (const slot of t.slots) out.push(week.start + slot * MINUTE);
  }
  // Already ascending: days and slots are sorted.
  week.starts = out;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Payload pieces

export function trackRef(track: Row, withCategory: boolean): Row {
  const row: Row = {};
  if (withCategory) {
    row.category = track.category;
    row.category_id = track.category_id;
  }
  if (track.config_name !== undefined) row.config_name = track.config_name;
  row.track_id = track.track_id;
  row.track_name = track.track_name;
  return row;
}

function raceTimeDescriptors(series: SeriesPlan, week: WeekPlan): Row[] {
  const t = series.timing;
  if (t.kind === 'repeating') {
    return [
      {
        day_offset: [...t.days],
        first_session_time: clock(t.firstMinute),
        repeat_minutes: t.repeat,
        repeating: true,
        session_minutes: week.sessionMinutes,
        start_date: isoDay(week.start),
        super_session: false,
      },
    ];
  }
  return [
    {
      repeating: false,
      session_minutes: week.sessionMinutes,
      session_times: weekStarts(week).map(isoTime),
      super_session: false,
    },
  ];
}

export function scheduleDescription(series: SeriesPlan): string {
  const t = series.timing;
  if (t.kind === 'fixed') return `${t.slots.length} Timeslots Per Week`;
  if (t.repeat < 60) return `Races every ${t.repeat} minutes`;
  const every = t.repeat === 60 ? 'hour' : `${t.repeat / 60} hours`;
  if (t.repeat === 90) return `Races every 90 minutes`;
  return t.firstMinute === 0
    ? `Races every ${every} on the hour`
    : `Races ${t.firstMinute} past every ${every}`;
}

const TIRE_SETS: readonly (readonly [number, number])[] = [
  [0, 6],
  [3, 2],
  [4, 1],
  [6, 1],
];

/** The week's car restrictions: balance of performance for every car of the week, changing week to week. */
export function carRestrictions(world: World, season: SeasonPlan, week: WeekPlan): Row[] {
  const series = season.series;
  const rng = new Rng(hash(world.seed, 602, season.seasonId, week.num + 1));
  const bop = week.carIds.length > 1;
  return week.carIds.map((carId) => {
    const car = world.cars.get(carId) ?? {};
    const minPower = (car.min_power_adjust_pct as number | undefined) ?? -5;
    const maxPower = (car.max_power_adjust_pct as number | undefined) ?? 0;
    const maxWeight = (car.max_weight_penalty_kg as number | undefined) ?? 0;
    const power = bop && rng.bool(0.5) ? rng.int(Math.ceil(minPower * 4), Math.floor(maxPower * 4)) / 4 : 0;
    const weight = bop && rng.bool(0.5) ? rng.int(0, Math.min(maxWeight, 40)) : 0;
    const row: Row = {
      car_id: carId,
      max_dry_tire_sets: series.teams ? 0 : rng.weighted(TIRE_SETS),
      max_pct_fuel_fill: series.teams || rng.bool(0.8) ? 100 : rng.int(30, 99),
      power_adjust_pct: Object.is(power, -0) ? 0 : power,
      weight_penalty_kg: weight,
    };
    if (series.fixedSetup || rng.bool(0.1))
      row.race_setup_id = 250_000 + (hash(world.seed, 603, carId, week.track.track_id as number) % 30_000);
    if (series.fixedSetup && rng.bool(0.2))
      row.qual_setup_id = 250_000 + (hash(world.seed, 604, carId, week.track.track_id as number) % 30_000);
    return row;
  });
}

export function weatherInput(world: World, season: SeasonPlan, week: WeekPlan): WeekWeatherInput {
  return {
    seed: world.seed,
    seasonId: season.seasonId,
    weekNum: week.num,
    start: week.start,
    track: week.track,
    starts: weekStarts(week),
    sessionMinutes: week.sessionMinutes,
    version: week.weatherVersion,
    memo: (week.memo ??= {}),
  };
}

/** Computes what a season's payloads need (session times, weather) ahead of the first request. */
export function prepareSeason(world: World, season: SeasonPlan): void {
  for (const week of season.weeks) prepareWeather(weatherInput(world, season, week));
}

function trackState(world: World, season: SeasonPlan, week: WeekPlan): Row {
  const h = hash(world.seed, 605, season.seasonId, week.num + 1);
  const row: Row = { leave_marbles: h % 20 === 0 };
  if (h % 7 === 1) row.practice_rubber = (h >>> 8) % 4;
  if (h % 7 === 1 && (h >>> 12) % 2 === 0) row.race_rubber = 15 + ((h >>> 14) % 15);
  return row;
}

function weekEndTime(season: SeasonPlan, week: WeekPlan): string {
  if (season.series.timing.kind === 'fixed') {
    const starts = weekStarts(week);
    return isoTime(starts[starts.length - 1]);
  }
  return isoTime(week.start + WEEK - 2 * MINUTE);
}

const seasonName = (s: SeasonPlan): string => `${s.series.name} - ${s.year} Season ${s.quarter}`;
const seasonShortName = (s: SeasonPlan): string => `${s.year} Season ${s.quarter}`;

/** A race week of series/seasons (`qualDescriptors`: the extra key of series/season_schedule). */
export function scheduleRow(
  world: World,
  season: SeasonPlan,
  week: WeekPlan,
  baseUrl: string,
  qualDescriptors: boolean,
): Row {
  const series = season.series;
  const isOval = series.category === 'oval' || series.category === 'dirt_oval';
  const rotating = series.rotating;
  const row: Row = {
    season_id: season.seasonId,
    race_week_num: week.num,
    car_restrictions: carRestrictions(world, season, week),
    category: series.category,
    category_id: CATEGORY_IDS[series.category],
    enable_pitlane_collisions: false,
    full_course_cautions: isOval,
    practice_length: series.practiceLength,
    qual_attached: series.qualAttached,
  };
  if (qualDescriptors) row.qual_time_descriptors = [];
  row.qualify_laps = series.qualifyLaps;
  row.qualify_length = series.qualifyLength;
  row.race_lap_limit = week.raceLaps;
  row.race_time_descriptors = raceTimeDescriptors(series, week);
  row.race_time_limit = week.raceTimeLimit;
  row.race_week_car_class_ids = rotating ? [...week.classIds] : [];
  row.race_week_cars = rotating
    ? week.carIds.map((id) => {
        const car = world.cars.get(id) ?? {};
        return { car_id: id, car_name: car.car_name, car_name_abbreviated: car.car_name_abbreviated };
      })
    : [];
  row.restart_type = series.restartType;
  row.schedule_name = `${series.shortName.toLowerCase()} - ${scheduleDescription(series)} - ${
    series.startType === 'Rolling' ? 'roll' : 'standing'
  }`;
  row.season_name = seasonName(season);
  row.series_id = series.seriesId;
  row.series_name = series.name;
  row.short_parade_lap = false;
  row.special_event_type = null;
  row.start_date = isoDay(week.start);
  row.start_type = series.startType;
  row.start_zone = !isOval && series.startType === 'Rolling';
  row.track = trackRef(week.track, true);
  row.track_state = trackState(world, season, week);
  row.warmup_length = series.warmupLength;
  const input = weatherInput(world, season, week);
  row.weather = weekWeatherBlock(
    input,
    `${baseUrl}/files/${forecastPath(season.seasonId, week.num, week.weatherVersion)}`,
  );
  row.week_end_time = weekEndTime(season, week);
  return row;
}

/** Where a season stands at the anchor. */
function status(world: World, season: SeasonPlan): { active: boolean; complete: boolean; raceWeek: number } {
  const elapsed = Math.floor((world.anchor - season.start) / WEEK);
  return {
    active: season.qi >= world.anchorQi,
    complete: season.qi < world.anchorQi,
    raceWeek: Math.max(0, Math.min(season.weeks.length - 1, elapsed)),
  };
}

function heatInfo(world: World, season: SeasonPlan): Row {
  const rng = new Rng(hash(world.seed, 606, season.seasonId));
  return {
    consolation_delta_max_field_size: 0,
    consolation_delta_session_laps: 0,
    consolation_delta_session_length_minutes: 0,
    consolation_first_max_field_size: rng.pick([8, 9, 10]),
    consolation_first_session_laps: 10,
    consolation_first_session_length_minutes: 10,
    consolation_num_position_to_invert: 0,
    consolation_num_to_consolation: 0,
    consolation_num_to_main: rng.int(1, 3),
    consolation_run_always: false,
    consolation_scores_champ_points: false,
    created: isoTime(season.start - rng.int(20, 60) * DAY),
    cust_id: 0,
    description: `${season.series.maxStarters} Entries - ${season.series.practiceLength} Minute Practice`,
    heat_caution_type: 0,
    heat_info_id: 150_000 + season.seasonId,
    heat_info_name: `${season.year} ${season.series.name}`,
    heat_laps: 10,
    heat_length_minutes: 10,
    heat_max_field_size: 10,
    heat_num_from_each_to_main: rng.int(4, 7),
    heat_num_position_to_invert: rng.pick([0, 4, 6]),
    heat_scores_champ_points: true,
    heat_session_minutes_estimate: 120,
    hidden: false,
    main_laps: rng.pick([25, 30, 35]),
    main_length_minutes: 60,
    main_max_field_size: 24,
    main_num_position_to_invert: 0,
    max_entrants: season.series.maxStarters,
    open_practice: true,
    pre_main_practice_length_minutes: 0,
    pre_qual_num_to_main: 0,
    pre_qual_practice_length_minutes: 5,
    qual_caution_type: 0,
    qual_laps: 2,
    qual_length_minutes: 2,
    qual_num_to_main: 0,
    qual_open_delay_seconds: 0,
    qual_scores_champ_points: true,
    qual_scoring: 0,
    qual_style: 1,
    race_style: 1,
  };
}

/** The keys shared by series/seasons and series/season_list seasons, in the API's order. */
function seasonBase(world: World, season: SeasonPlan, variant: 'seasons' | 'list', baseUrl: string): Row {
  const series = season.series;
  const st = status(world, season);
  const isOval = series.category === 'oval' || series.category === 'dirt_oval';
  const h = hash(world.seed, 607, season.seasonId);
  const row: Row = {
    season_id: season.seasonId,
    season_name: seasonName(season),
    active: st.active,
    allowed_season_members: null,
    car_class_ids: [...series.classIds],
    car_switching: false,
    car_types: series.carTypes.map((car_type) => ({ car_type })),
    caution_laps_do_not_count: false,
    complete: st.complete,
    connection_black_flag: !series.teams,
    consec_caution_within_nlaps: 2,
    consec_cautions_single_file: false,
    cross_license: series.licenseGroup <= 3,
  };
  if (variant === 'list') {
    const week = season.weeks[st.raceWeek];
    row.current_week_sched = {
      race_week_num: week.num,
      track: trackRef(week.track, true),
      car_restrictions: carRestrictions(world, season, week),
      race_lap_limit: week.raceLaps,
      race_time_limit: week.raceTimeLimit,
      precip_chance: (weekWeatherBlock(weatherInput(world, season, week), '').weather_summary as Row)
        .precip_chance,
      start_type: series.startType,
      category_id: CATEGORY_IDS[series.category],
    };
  }
  Object.assign(row, {
    distributed_matchmaking: false,
    driver_change_rule: series.teams ? 2 : 0,
    driver_changes: series.teams,
    drops: series.drops,
  });
  if (variant === 'list') row.elig = { own_car: h % 3 !== 0, own_track: h % 5 !== 0 };
  Object.assign(row, {
    enable_pitlane_collisions: false,
    fixed_setup: series.fixedSetup,
    green_white_checkered_limit: isOval ? 3 : 0,
    grid_by_class: series.multiclass,
  });
  row.hardcore_level = 1;
  if (variant === 'list') row.has_mpr = series.licenseGroup === 1;
  Object.assign(row, {
    has_supersessions: false,
    ignore_license_for_practice: true,
    incident_limit: series.incidentLimit,
    incident_warn_mode: series.incidentLimit > 0 ? 1 : 0,
    incident_warn_param1: series.incidentLimit > 0 ? Math.max(0, series.incidentLimit - 8) : 0,
    incident_warn_param2: 0,
    is_heat_racing: series.heatRacing,
    license_group: series.licenseGroup,
    license_group_types: [{ license_group_type: series.licenseGroup }],
    lucky_dog: isOval,
    max_team_drivers: series.maxTeamDrivers,
    max_weeks: season.weeks.length,
    min_team_drivers: series.minTeamDrivers,
    multiclass: series.multiclass,
    must_use_diff_tire_types_in_race: false,
  });
  if (variant === 'seasons') row.next_race_session = null;
  Object.assign(row, {
    num_fast_tows: series.category === 'oval' ? -1 : 0,
    num_opt_laps: 0,
    official: series.official,
    op_duration: 120,
    open_practice_session_type_id: 170,
    qualifier_must_start_race: false,
    race_week: st.raceWeek,
    race_week_to_make_divisions: 0,
    reg_user_count: Math.max(0, Math.round(series.enrolled * (0.2 + (h % 50) / 100))),
    region_competition: true,
    restrict_by_member: false,
    restrict_to_car: false,
    restrict_viewing: false,
    schedule_description: scheduleDescription(series),
  });
  if (variant === 'seasons')
    row.schedules = season.weeks.map((w) => scheduleRow(world, season, w, baseUrl, false));
  Object.assign(row, {
    season_quarter: season.quarter,
    season_short_name: seasonShortName(season),
    season_year: season.year,
    send_to_open_practice: true,
    series_id: series.seriesId,
    short_parade_lap: false,
    start_date: isoTime(season.start),
    start_on_qual_tire: false,
    start_zone: !isOval && series.startType === 'Rolling',
    track_types: [{ track_type: series.trackCategory }],
    unsport_conduct_rule_mode: series.licenseGroup <= 2 ? 3 : 0,
  });
  if (series.heatRacing) {
    row.heat_ses_info = heatInfo(world, season);
    row.reg_open_minutes = 15;
  }
  return row;
}

/** A season of `/data/series/seasons` (with its schedules). */
export const seasonRow = (world: World, season: SeasonPlan, baseUrl: string): Row =>
  seasonBase(world, season, 'seasons', baseUrl);

/** A season of `/data/series/season_list` (current week instead of schedules). */
export const seasonListRow = (world: World, season: SeasonPlan): Row => seasonBase(world, season, 'list', '');

/** A season of `/data/season/list`. */
export function seasonShortRow(season: SeasonPlan): Row {
  return {
    season_id: season.seasonId,
    series_id: season.series.seriesId,
    season_name: seasonName(season),
    series_name: season.series.name,
    official: season.series.official,
    season_year: season.year,
    season_quarter: season.quarter,
    license_group: season.series.licenseGroup,
    fixed_setup: season.series.fixedSetup,
    driver_changes: season.series.teams,
  };
}

/** A season of `/data/series/past_seasons`. */
export function pastSeasonRow(world: World, season: SeasonPlan): Row {
  const series = season.series;
  return {
    season_id: season.seasonId,
    series_id: series.seriesId,
    season_name: seasonName(season),
    season_short_name: seasonShortName(season),
    season_year: season.year,
    season_quarter: season.quarter,
    active: season.qi >= world.anchorQi,
    official: series.official,
    driver_changes: series.teams,
    fixed_setup: series.fixedSetup,
    license_group: series.licenseGroup,
    has_supersessions: false,
    car_switching: false,
    license_group_types: [{ license_group_type: series.licenseGroup }],
    car_classes: series.classIds.map((id) => {
      const cls = world.classes.get(id) ?? {};
      return {
        car_class_id: id,
        short_name: cls.short_name,
        name: cls.name,
        relative_speed: cls.relative_speed,
      };
    }),
    race_weeks: season.weeks.map((w) => ({
      season_id: season.seasonId,
      race_week_num: w.num,
      track: (({ track_id, track_name, config_name }: Row): Row =>
        config_name === undefined ? { track_id, track_name } : { track_id, track_name, config_name })(
        w.track,
      ),
    })),
  };
}
