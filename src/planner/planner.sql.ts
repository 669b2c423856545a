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
  /** Every car the week allows, in car_id order. */
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
  /** Weeks of a favourite series, at a favourite track or allowing a favourite car. */
  favouritesOnly?: boolean;
  /** Also the weeks the viewer cannot race. */
  includeBlocked?: boolean;
}

/**
 * The licence level a member holds in a series' category: legacy `road` series (category 2) take the better of
 * the sports car and formula car licences that replaced it; no stored licence is Rookie (level 1).
 */
const MY_LEVEL = `COALESCE(
  (SELECT max(ml.level) FROM my_licences ml
   WHERE ml.category_id = s.category_id OR (s.category_id = 2 AND ml.category_id IN (5, 6))), 1)`;

/** The lowest level the series allows, else the one of its season's licence group (4 levels per group). */
const REQUIRED_LEVEL = `COALESCE(
  (SELECT min((x->>'min_license_level')::int) FROM jsonb_array_elements(
     CASE WHEN jsonb_typeof(s.allowed_licenses) = 'array' THEN s.allowed_licenses ELSE '[]'::jsonb END) x
   WHERE x ? 'min_license_level'),
  CASE WHEN se.license_group IS NOT NULL THEN (se.license_group - 1) * 4 + 1 END)`;

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
 * Every race week of the window with the viewer's eligibility, in start order. Parameters: $1 cust_id, $2 from,
 * $3 to, $4 series ids, $5 layout ids, $6 car ids, $7 season ids, $8 favourites only, $9 include blocked.
 */
export const WEEKS_SQL = `
WITH ${VIEWER_CTES},
weeks AS (
  SELECT rw.id, rw.series_id, rw.season_id, rw.race_week_num, rw.start_time, rw.end_time, s.category_id,
         l.package_id AS track_package_id,
         CASE WHEN cardinality(rw.car_ids) > 0 THEN rw.car_ids
              ELSE ARRAY(SELECT DISTINCT m.car_id FROM car_class_car m
                         WHERE m.car_class_id = ANY(rw.car_class_ids) ORDER BY 1) END AS allowed,
         ${REQUIRED_LEVEL} AS required_level,
         ${MY_LEVEL} AS my_level
  FROM race_week rw
  JOIN series s ON s.series_id = rw.series_id
  JOIN season se ON se.season_id = rw.season_id
  JOIN sim_layout l ON l.track_id = rw.track_id
  WHERE ($2::timestamptz IS NULL OR rw.end_time > $2)
    AND ($3::timestamptz IS NULL OR rw.start_time < $3)
    AND ($4::int[] IS NULL OR rw.series_id = ANY($4))
    AND ($5::int[] IS NULL OR rw.track_id = ANY($5))
    AND ($7::int[] IS NULL OR rw.season_id = ANY($7))
), judged AS (
  SELECT w.*, w.track_package_id IN (SELECT package_id FROM my_tracks) AS track_owned,
         ARRAY(SELECT c FROM unnest(w.allowed) c WHERE c IN (SELECT car_id FROM my_cars) ORDER BY c) AS my_cars,
         w.required_level IS NULL OR w.my_level >= w.required_level AS licence_ok
  FROM weeks w
  WHERE ($6::int[] IS NULL OR w.allowed && $6)
    AND (NOT $8 OR EXISTS (SELECT 1 FROM my_favourites f WHERE
          (f.kind = 'SERIES' AND f.ref_id = w.series_id) OR (f.kind = 'TRACK' AND f.ref_id = w.track_package_id)
          OR (f.kind = 'CAR' AND f.ref_id = ANY(w.allowed))))
)
SELECT j.id AS "raceWeekId", j.series_id AS "seriesId", j.season_id AS "seasonId",
       j.race_week_num AS "raceWeekNum", j.start_time AS "startTime", j.end_time AS "endTime",
       j.category_id AS "categoryId", j.track_package_id AS "trackPackageId", j.track_owned AS "trackOwned",
       j.allowed AS "allowedCarIds", j.my_cars AS "myCarIds", j.required_level AS "requiredLevel",
       j.my_level AS "myLevel", j.licence_ok AS "licenceOk",
       (j.track_owned AND cardinality(j.my_cars) > 0 AND j.licence_ok) AS raceable,
       ARRAY(SELECT e.id FROM event e WHERE e.race_week_id = j.id ORDER BY e.id) AS "eventIds"
FROM judged j
WHERE $9 OR (j.track_owned AND cardinality(j.my_cars) > 0 AND j.licence_ok)
ORDER BY j.start_time, j.id`;

/** The viewer's eligibility for every week of the window (one statement). */
export async function weekEligibility(
  db: Queryable,
  custId: number,
  w: WeekWindow,
): Promise<WeekEligibility[]> {
  const list = (ids?: number[]) => (ids?.length ? ids : null);
  return (await db.query(WEEKS_SQL, [
    custId,
    w.from ?? null,
    w.to ?? null,
    list(w.seriesIds),
    list(w.trackIds),
    list(w.carIds),
    list(w.seasonIds),
    w.favouritesOnly === true,
    w.includeBlocked === true,
  ])) as WeekEligibility[];
}
