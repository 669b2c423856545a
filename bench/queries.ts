// The benchmark queries: GraphQL documents and the hand-written SQL that answers the same data, shared by
// `bench:seasons` (the full season graph, one request at a time) and `bench:load` (these and a page of race weeks
// under concurrent load; PostGraphile's documents for the same questions are in postgraphile-queries.ts).
// Each SQL mirrors its GraphQL document field for field, in the same order, with the same ordering of lists and
// the same time format (ISO 8601 in UTC with milliseconds), so the two answers compare equal once parsed.

/** A timestamptz as GraphQL's DateTime prints it: `2026-11-19T15:00:00.000Z`. */
const iso = (expr: string) => `to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The full season graph of a page of 100 active seasons. */
export const SEASON_GRAPH_GQL = `{ seasons(first: 100, filter: { active: true }) { edges { node {
  id name series { name category } carClasses { id name }
  raceWeeks { id raceWeekNum startTime endTime layout { trackName configName }
    carRestrictions { car { name } powerAdjustPct weightPenaltyKg maxDryTireSets maxPctFuelFill }
    event { classes { position carClass { name } cars { name } } } } } } } }`;

/** One row per season of SEASON_GRAPH_GQL's page (alias it `s`; order by `s.id DESC`). */
const SEASON_ROWS = `
  SELECT se.season_id AS id, se.name,
    (SELECT json_build_object('name', sr.name, 'category', sr.category) FROM series sr WHERE sr.series_id = se.series_id) AS series,
    (SELECT coalesce(json_agg(json_build_object('id', cc.car_class_id, 'name', cc.name)
         ORDER BY array_position(se.car_class_ids, cc.car_class_id)), '[]')
       FROM car_class cc WHERE cc.car_class_id = ANY(se.car_class_ids)) AS "carClasses",
    (SELECT coalesce(json_agg(w ORDER BY w."raceWeekNum"), '[]') FROM (
       SELECT rw.id, rw.race_week_num AS "raceWeekNum", ${iso('rw.start_time')} AS "startTime",
         ${iso('rw.end_time')} AS "endTime",
         (SELECT json_build_object('trackName', l.track_name, 'configName', l.config_name)
            FROM sim_layout l WHERE l.track_id = rw.track_id) AS layout,
         (SELECT coalesce(json_agg(json_build_object('car', json_build_object('name', c.name),
              'powerAdjustPct', cr.power_adjust_pct, 'weightPenaltyKg', cr.weight_penalty_kg,
              'maxDryTireSets', cr.max_dry_tire_sets, 'maxPctFuelFill', cr.max_pct_fuel_fill) ORDER BY cr.car_id), '[]')
            FROM car_restriction cr JOIN sim_car c ON c.car_id = cr.car_id WHERE cr.race_week_id = rw.id) AS "carRestrictions",
         (SELECT json_build_object('classes', (
            SELECT coalesce(json_agg(json_build_object('position', ec.position, 'carClass', json_build_object('name', cc.name),
                -- the class's cars that race this week; when none of the week's cars is in the class, the week's list
                'cars', coalesce(
                  (SELECT json_agg(json_build_object('name', c.name) ORDER BY c.car_id)
                     FROM car_class_car m JOIN sim_car c ON c.car_id = m.car_id
                     WHERE m.car_class_id = ec.car_class_id AND (cardinality(ec.car_ids) = 0 OR m.car_id = ANY(ec.car_ids))),
                  (SELECT json_agg(json_build_object('name', c.name) ORDER BY u.ord)
                     FROM unnest(ec.car_ids) WITH ORDINALITY u(car_id, ord) JOIN sim_car c ON c.car_id = u.car_id),
                  '[]'))
              ORDER BY ec.position), '[]')
            FROM event_class ec JOIN car_class cc ON cc.car_class_id = ec.car_class_id WHERE ec.event_id = e.id))
          FROM event e WHERE e.race_week_id = rw.id) AS event
       FROM race_week rw WHERE rw.season_id = se.season_id) w) AS "raceWeeks"
  FROM season se WHERE se.active ORDER BY se.season_id DESC LIMIT 100`;

/** The same data as SEASON_GRAPH_GQL, as one statement: column `seasons`, the array of season nodes. */
export const SEASON_GRAPH_SQL = `SELECT coalesce(json_agg(s ORDER BY s.id DESC), '[]') AS seasons FROM (${SEASON_ROWS}) s`;

/** SEASON_GRAPH_SQL shaped as the GraphQL response (`{data: {seasons: {edges: [{node}]}}}`), as text: column `body`. */
export const SEASON_GRAPH_RESPONSE_SQL = `SELECT json_build_object('data', json_build_object('seasons', json_build_object('edges',
  coalesce(json_agg(json_build_object('node', s) ORDER BY s.id DESC), '[]'))))::text AS body FROM (${SEASON_ROWS}) s`;

/** A page of the race calendar: the first 50 session starts in [from, to), and how many there are. */
export const SESSIONS_PAGE_SIZE = 50;
export const sessionsGql = (from: Date, to: Date) =>
  `{ sessions(filter: { from: "${from.toISOString()}", to: "${to.toISOString()}" }, first: ${SESSIONS_PAGE_SIZE}) {
  totalCount edges { node { startTime raceWeek { series { name } layout { trackName } } } } } }`;

/**
 * The same data as sessionsGql, shaped as its GraphQL response, as text (column `body`); $1 = from, $2 = to.
 * Sessions are joined to their event's race week like the resolver (an instance without one is not listed);
 * a missing series or layout is null, as in GraphQL.
 */
export const SESSIONS_RESPONSE_SQL = `WITH f AS (
  SELECT i.id, i.start_time, rw.series_id, rw.track_id
  FROM event_instance i JOIN event e ON e.id = i.event_id JOIN race_week rw ON rw.id = e.race_week_id
  WHERE i.start_time >= $1 AND i.start_time < $2),
page AS (SELECT * FROM f ORDER BY start_time, id LIMIT ${SESSIONS_PAGE_SIZE})
SELECT json_build_object('data', json_build_object('sessions', json_build_object(
  'totalCount', (SELECT count(*) FROM f),
  'edges', (SELECT coalesce(json_agg(json_build_object('node', json_build_object(
      'startTime', ${iso('p.start_time')},
      'raceWeek', json_build_object(
        'series', CASE WHEN sr.series_id IS NULL THEN NULL ELSE json_build_object('name', sr.name) END,
        'layout', CASE WHEN l.track_id IS NULL THEN NULL ELSE json_build_object('trackName', l.track_name) END)))
      ORDER BY p.start_time, p.id), '[]')
    FROM page p LEFT JOIN series sr ON sr.series_id = p.series_id LEFT JOIN sim_layout l ON l.track_id = p.track_id))))::text AS body`;

/** A page of race weeks: the first 50 weeks that overlap [from, to), by start. */
export const RACE_WEEKS_PAGE_SIZE = 50;
export const raceWeeksGql = (from: Date, to: Date) =>
  `{ raceWeeks(filter: { from: "${from.toISOString()}", to: "${to.toISOString()}" }, first: ${RACE_WEEKS_PAGE_SIZE}) {
  edges { node { id raceWeekNum startTime layout { trackName } series { name } } } } }`;

/**
 * The same data as raceWeeksGql, shaped as its GraphQL response, as text (column `body`); $1 = from, $2 = to.
 * A week overlaps [from, to) when it ends after `from` and starts before `to`, as the resolver filters it.
 */
export const RACE_WEEKS_RESPONSE_SQL = `WITH page AS (
  SELECT rw.id, rw.race_week_num, rw.start_time, rw.series_id, rw.track_id FROM race_week rw
  WHERE rw.end_time > $1 AND rw.start_time < $2 ORDER BY rw.start_time, rw.id LIMIT ${RACE_WEEKS_PAGE_SIZE})
SELECT json_build_object('data', json_build_object('raceWeeks', json_build_object(
  'edges', (SELECT coalesce(json_agg(json_build_object('node', json_build_object(
      'id', p.id, 'raceWeekNum', p.race_week_num, 'startTime', ${iso('p.start_time')},
      'layout', CASE WHEN l.track_id IS NULL THEN NULL ELSE json_build_object('trackName', l.track_name) END,
      'series', CASE WHEN sr.series_id IS NULL THEN NULL ELSE json_build_object('name', sr.name) END))
      ORDER BY p.start_time, p.id), '[]')
    FROM page p LEFT JOIN series sr ON sr.series_id = p.series_id LEFT JOIN sim_layout l ON l.track_id = p.track_id))))::text AS body`;
