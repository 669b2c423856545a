// The planner's core question in one statement (docs/architecture.md §6.9): for each race week of a window, can the
// viewer race it, and if not, why. A week is raceable when the viewer owns its track package or it is free, owns
// (or has free) at least one car the week allows (the week's own car list for rotating-car series, else every car
// of its classes), and holds a licence in the series' category at or above the lowest level the series allows.
// Everything is computed in PostgreSQL from the stored owned content, licences and schedule: no per-week round trip.
import type { Queryable } from '../core/database/bulk-upsert.js';

/** A week as the planner sees it for one viewer. */
export interface WeekEligibility {
  raceWeekId: number;
  seriesId: number;
  seasonId: number;
  raceWeekNum: number;
  startTime: Date;
  endTime: Date;
  categoryId: number | null;
  /** The track package the week's layout belongs to. */
  trackPackageId: number;
  trackOwned: boolean;
  /** Every car the week allows, in car_id order, when the viewer has none of them (else empty: not needed). */
  allowedCarIds: number[];
  /** The allowed cars the viewer owns or has for free. */
  myCarIds: number[];
  /** Lowest licence level the series allows (1-4 Rookie, 5-8 D … 17-20 A, 21+ Pro), null: no rule known. */
  requiredLevel: number | null;
  /** The viewer's licence level in the series' category (Rookie 1 when none is stored). */
  myLevel: number;
  licenceOk: boolean;
  raceable: boolean;
  /** The week's events, so that its sessions can be told apart. */
  eventIds: number[];
}

export interface WeekWindow {
  from?: Date;
  to?: Date;
  seriesIds?: number[];
  trackIds?: number[];
  carIds?: number[];
  seasonIds?: number[];
  /**
   * Weeks of a favourite series, at a favourite track or allowing a favourite car. Season counts take the seasons
   * with such a week instead, every week of them: a season's participation is of all its weeks.
   */
  favouritesOnly?: boolean;
  /** Also the weeks the viewer cannot race. */
  includeBlocked?: boolean;
  /** Every week of each season that has a week ending after `from` (a season's participation needs them all). */
  wholeSeasons?: boolean;
  /** With each week's event ids (raceableSessions tells its sessions' weeks apart by them). */
  withEvents?: boolean;
  /** Weeks of series of this category_id only. */
  categoryId?: number;
  /** Only the weeks a purchase could open: blocked by content alone (the licence is enough), not over at `from`. */
  prospectsOnly?: boolean;
}

/** The viewer's cars, tracks and licences ($1: cust_id), as CTEs. */
export const VIEWER_CTES = `
  my_cars AS (
    SELECT car_id FROM sim_profile_car_ownership WHERE cust_id = $1
    UNION SELECT car_id FROM sim_car WHERE free_with_subscription),
  my_tracks AS (
    SELECT package_id FROM sim_profile_track_ownership WHERE cust_id = $1
    UNION SELECT package_id FROM sim_track WHERE free_with_subscription),
  my_licences AS (
    SELECT (l->>'category_id')::int AS category_id, (l->>'license_level')::int AS level
    FROM sim_profile p
    CROSS JOIN LATERAL jsonb_array_elements(
      CASE WHEN jsonb_typeof(p.licenses) = 'array' THEN p.licenses ELSE '[]'::jsonb END) l
    WHERE p.cust_id = $1 AND l ? 'category_id' AND l ? 'license_level'),
  my_favourites AS (
    SELECT kind, ref_id FROM planner_favourite WHERE cust_id = $1)`;

/**
 * Whether a week (`w`: a row of `weeks`, with its `allowed` cars) is of a favourite series, at a favourite track or
 * allows a favourite car.
 */
const FAVOURITE_WEEK = (w: string) => `EXISTS (SELECT 1 FROM my_favourites f WHERE
  (f.kind = 'SERIES' AND f.ref_id = ${w}.series_id) OR (f.kind = 'TRACK' AND f.ref_id = ${w}.track_package_id)
  OR (f.kind = 'CAR' AND f.ref_id = ANY(${w}.allowed)))`;

/**
 * Every race week of the window with the viewer's eligibility, in start order. Parameters: $1 cust_id, $2 from,
 * $3 to, $4 series ids, $5 layout ids, $6 car ids, $7 season ids, $8 favourites only (the favourite weeks, or with
 * `favourites` 'seasons' every week of a season with a favourite week), $9 include blocked, $10 whole seasons
 * (every week of a season with a week ending after `from`, not only those weeks).
 *
 * Each series' licence rule is worked out once (`series_rule`: the lowest level its `allowed_licenses` name, and
 * the viewer's level in its category: the better of sports car and formula car for a legacy road series, Rookie
 * when none is stored), each week's allowed cars once (one join of its classes with `car_class_car`, or its own
 * list for a rotating-car week), and the CTEs are materialised so no per-week subquery runs twice.
 */
const judgedCtes = (favourites: 'weeks' | 'seasons') => `
WITH ${VIEWER_CTES},
series_rule AS MATERIALIZED (
  SELECT s.series_id, s.category_id,
    (SELECT min((x->>'min_license_level')::int) FROM jsonb_array_elements(
       CASE WHEN jsonb_typeof(s.allowed_licenses) = 'array' THEN s.allowed_licenses ELSE '[]'::jsonb END) x
     WHERE x ? 'min_license_level') AS required,
    COALESCE((SELECT max(ml.level) FROM my_licences ml
     WHERE ml.category_id = s.category_id OR (s.category_id = 2 AND ml.category_id IN (5, 6))), 1) AS my_level
  FROM series s),
base AS MATERIALIZED (
  SELECT rw.id, rw.series_id, rw.season_id, rw.race_week_num, rw.start_time, rw.end_time, rw.track_id,
         rw.car_ids, rw.car_class_ids, sr.category_id, l.package_id AS track_package_id,
         COALESCE(sr.required,
                  CASE WHEN se.license_group IS NOT NULL THEN (se.license_group - 1) * 4 + 1 END) AS required_level,
         sr.my_level
  FROM race_week rw
  JOIN series_rule sr ON sr.series_id = rw.series_id
  JOIN season se ON se.season_id = rw.season_id
  JOIN sim_layout l ON l.track_id = rw.track_id
  WHERE ($2::timestamptz IS NULL OR (CASE WHEN $10 THEN rw.season_id IN (
           SELECT f.season_id FROM race_week f WHERE f.end_time > $2) ELSE rw.end_time > $2 END))
    AND ($3::timestamptz IS NULL OR rw.start_time < $3)
    AND ($4::int[] IS NULL OR rw.series_id = ANY($4))
    AND ($5::int[] IS NULL OR rw.track_id = ANY($5))
    AND ($7::int[] IS NULL OR rw.season_id = ANY($7))
    AND ($11::int IS NULL OR sr.category_id = $11)),
class_cars AS (
  SELECT b.id, array_agg(DISTINCT m.car_id ORDER BY m.car_id) AS cars
  FROM base b CROSS JOIN LATERAL unnest(b.car_class_ids) k(id) JOIN car_class_car m ON m.car_class_id = k.id
  WHERE cardinality(b.car_ids) = 0 GROUP BY b.id),
weeks AS MATERIALIZED (
  SELECT b.*, CASE WHEN cardinality(b.car_ids) > 0 THEN b.car_ids ELSE COALESCE(cc.cars, '{}') END AS allowed
  FROM base b LEFT JOIN class_cars cc ON cc.id = b.id),
mine AS (
  SELECT w.id, array_agg(a.car_id ORDER BY a.car_id) AS cars
  FROM weeks w CROSS JOIN LATERAL unnest(w.allowed) a(car_id) JOIN my_cars m ON m.car_id = a.car_id
  GROUP BY w.id),
judged AS MATERIALIZED (
  SELECT w.*, w.track_package_id IN (SELECT package_id FROM my_tracks) AS track_owned,
         COALESCE(mine.cars, '{}') AS my_cars,
         w.required_level IS NULL OR w.my_level >= w.required_level AS licence_ok
  FROM weeks w LEFT JOIN mine ON mine.id = w.id
  WHERE ($6::int[] IS NULL OR w.allowed && $6)
    AND (NOT $8 OR ${
      favourites === 'weeks'
        ? FAVOURITE_WEEK('w')
        : `w.season_id IN (SELECT fw.season_id FROM weeks fw WHERE ${FAVOURITE_WEEK('fw')})`
    }))`;

/**
 * Judged weeks, one row each, in start order. `$12`: with each week's event ids (to tell its sessions apart);
 * `$13`: only the weeks a purchase could open (blocked by content alone, not over at `$2`).
 */
export const WEEKS_SQL = `${judgedCtes('weeks')}
SELECT j.id AS "raceWeekId", j.series_id AS "seriesId", j.season_id AS "seasonId",
       j.race_week_num AS "raceWeekNum", j.start_time AS "startTime", j.end_time AS "endTime",
       j.category_id AS "categoryId", j.track_package_id AS "trackPackageId", j.track_owned AS "trackOwned",
       CASE WHEN cardinality(j.my_cars) = 0 THEN j.allowed ELSE '{}' END AS "allowedCarIds", j.my_cars AS "myCarIds", j.required_level AS "requiredLevel",
       j.my_level AS "myLevel", j.licence_ok AS "licenceOk",
       (j.track_owned AND cardinality(j.my_cars) > 0 AND j.licence_ok) AS raceable,
       COALESCE(ev.ids, '{}') AS "eventIds"
FROM judged j
LEFT JOIN (SELECT e.race_week_id, array_agg(e.id ORDER BY e.id) AS ids FROM event e
           WHERE $12 AND e.race_week_id IN (SELECT id FROM judged) GROUP BY e.race_week_id) ev
  ON ev.race_week_id = j.id
WHERE ($9 OR (j.track_owned AND cardinality(j.my_cars) > 0 AND j.licence_ok))
  AND (NOT $13 OR (NOT (j.track_owned AND cardinality(j.my_cars) > 0) AND j.licence_ok AND j.end_time > $2))
ORDER BY j.start_time, j.id`;

/**
 * Per season of the window: its weeks, those the viewer can race, those they raced (official results) and those
 * they can still race (not over, not raced): the counts participation credit needs, without a row per week. With
 * favourites only, the seasons with a favourite week, each counted on all its weeks.
 */
export const SEASON_COUNTS_SQL = `${judgedCtes('seasons')},
raced AS (
  SELECT DISTINCT er.season_id, er.race_week_num FROM participant_result pr
  JOIN event_result er ON er.id = pr.event_result_id
  WHERE pr.cust_id = $1 AND er.kind = 'OFFICIAL' AND er.season_id IN (SELECT season_id FROM judged)),
w AS (
  SELECT j.season_id, j.end_time, (j.track_owned AND cardinality(j.my_cars) > 0 AND j.licence_ok) AS raceable,
         (j.season_id, j.race_week_num) IN (SELECT season_id, race_week_num FROM raced) AS raced
  FROM judged j
  -- Every week counts ($9, include blocked, is true here); $12 and $13 belong to the rows' statement, typed here
  -- so that both statements take one list of parameters.
  WHERE $9::boolean AND $12::boolean IS NOT NULL AND $13::boolean IS NOT NULL)
SELECT season_id AS "seasonId", count(*)::int AS weeks,
       (count(*) FILTER (WHERE raceable))::int AS "raceableWeeks",
       (count(*) FILTER (WHERE raced))::int AS "racedWeeks",
       (count(*) FILTER (WHERE raceable AND NOT raced AND end_time > now()))::int AS "raceableWeeksLeft"
FROM w GROUP BY season_id ORDER BY season_id`;

/** The parameters of the judged weeks' statements for a window. */
function windowParams(custId: number, w: WeekWindow): unknown[] {
  const list = (ids?: number[]) => (ids?.length ? ids : null);
  return [
    custId,
    w.from ?? null,
    w.to ?? null,
    list(w.seriesIds),
    list(w.trackIds),
    list(w.carIds),
    list(w.seasonIds),
    w.favouritesOnly === true,
    w.includeBlocked === true,
    w.wholeSeasons === true,
    w.categoryId ?? null,
    w.withEvents === true,
    w.prospectsOnly === true,
  ];
}

/** The viewer's eligibility for every week of the window (one statement). */
export async function weekEligibility(
  db: Queryable,
  custId: number,
  w: WeekWindow,
): Promise<WeekEligibility[]> {
  return (await db.query(WEEKS_SQL, windowParams(custId, w))) as WeekEligibility[];
}

export interface SeasonCounts {
  seasonId: number;
  weeks: number;
  raceableWeeks: number;
  racedWeeks: number;
  raceableWeeksLeft: number;
}

/** Per season of the window, the counts its participation credit needs (one statement). */
export async function seasonCounts(db: Queryable, custId: number, w: WeekWindow): Promise<SeasonCounts[]> {
  return (await db.query(
    SEASON_COUNTS_SQL,
    windowParams(custId, { ...w, includeBlocked: true }),
  )) as SeasonCounts[];
}
