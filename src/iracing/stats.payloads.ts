// The shapes of iRacing's stats payloads the look-back imports rely on (docs/architecture.md §5.5): season driver
// standings, a member's rating charts and yearly and career totals, world records. Only what is read is checked.
import { array, bool, int, isoDate, num, object, optional, str } from './decode.js';
import type { Checked } from './decode.js';

/** The licence a stats row carries (standings, world records): only what is shown. */
const statsLicense = optional(
  object({
    category_id: optional(int),
    license_level: optional(int),
    safety_rating: optional(num),
    irating: optional(int),
  }),
);

/** One driver of `stats/season_driver_standings` (the chunk rows). */
export const standingsRowsPayload = array(
  object({
    rank: int,
    cust_id: int,
    display_name: str,
    division: int,
    club_id: optional(int),
    club_name: optional(str),
    country_code: optional(str),
    license: statsLicense,
    weeks_counted: optional(int),
    starts: int,
    wins: int,
    top5: optional(int),
    top25_percent: optional(int),
    poles: optional(int),
    avg_start_position: optional(num),
    avg_finish_position: optional(num),
    avg_field_size: optional(num),
    laps: optional(int),
    laps_led: optional(int),
    incidents: optional(int),
    points: int,
    week_dropped: optional(bool),
  }),
);
export type IracingStandingRow = Checked<typeof standingsRowsPayload>[number];

/** `member/chart_data`: one value per day (`when` is `YYYY-MM-DD`). */
export const chartDataPayload = object({
  cust_id: int,
  category_id: int,
  chart_type: int,
  blackout: optional(bool),
  data: array(object({ when: isoDate, value: int })),
});
export type IracingChartData = Checked<typeof chartDataPayload>;

const statsTotals = {
  category_id: int,
  starts: int,
  wins: int,
  top5: int,
  poles: int,
  avg_start_position: num,
  avg_finish_position: num,
  laps: int,
  laps_led: int,
  avg_incidents: num,
  avg_points: num,
  win_percentage: num,
  top5_percentage: num,
  laps_led_percentage: num,
  total_club_points: optional(int),
};

export const memberYearlyPayload = object({
  cust_id: int,
  stats: array(object({ ...statsTotals, year: int })),
});
export type IracingYearlyStat = Checked<typeof memberYearlyPayload>['stats'][number];

export const memberCareerPayload = object({ cust_id: int, stats: array(object(statsTotals)) });
export type IracingCareerStat = Checked<typeof memberCareerPayload>['stats'][number];

/** One member's best laps of `stats/world_records` (1/10000 s; null where they set none of a kind). */
export const worldRecordRowsPayload = array(
  object({
    cust_id: int,
    display_name: str,
    car_id: int,
    track_id: int,
    club_id: optional(int),
    club_name: optional(str),
    country_code: optional(str),
    region: optional(str),
    season_year: optional(int),
    season_quarter: optional(int),
    license: statsLicense,
    practice_lap_time: optional(int),
    practice_date: optional(isoDate),
    qualify_lap_time: optional(int),
    qualify_date: optional(isoDate),
    tt_lap_time: optional(int),
    tt_date: optional(isoDate),
    race_lap_time: optional(int),
    race_date: optional(isoDate),
  }),
);
export type IracingWorldRecordRow = Checked<typeof worldRecordRowsPayload>[number];
