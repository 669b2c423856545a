// The benchmark's questions asked of PostGraphile 5 (postgraphile-server.js): for each, the GraphQL document of its
// generated schema that fetches the same data as the application's document in queries.ts, and a normaliser that
// maps its answer to the application's answer shape, so that `bench:load` can check the three servers agree.
// PostGraphile names things after the tables (allEventInstances, raceWeekByRaceWeekId, rowId for `id`), gives times
// in PostgreSQL's format (`2026-11-19T15:00:00+00:00`) and lists as connections (`nodes`). Arrays of ids
// (season.car_class_ids, event_class.car_ids) are no relation it can follow: the season graph also asks for the
// car classes and cars (small catalog tables) and the normaliser resolves them as the application's resolvers do.
import { RACE_WEEKS_PAGE_SIZE, SESSIONS_PAGE_SIZE } from './queries.js';

/** A PostGraphile answer as parsed JSON. */
export interface PgAnswer {
  data?: Record<string, unknown>;
  errors?: unknown[];
}

type Named = { name: string } | null;

/** A time as the application's DateTime prints it: `2026-11-19T15:00:00.000Z`. */
const iso = (t: string) => new Date(t).toISOString();

const dataOf = <T>(answer: PgAnswer): T => {
  if (answer.errors?.length || !answer.data)
    throw new Error(`PostGraphile answered errors: ${JSON.stringify(answer.errors).slice(0, 500)}`);
  return answer.data as T;
};

// --- sessions: the calendar page -------------------------------------------------------------------------------

/**
 * sessionsGql: session starts in [from, to) by start then id, only those whose event has a race week (the
 * application joins them), and how many there are.
 */
export const pgSessionsGql = (from: Date, to: Date) =>
  `{ allEventInstances(first: ${SESSIONS_PAGE_SIZE}, orderBy: [START_TIME_ASC, ROW_ID_ASC], filter: {
  startTime: { greaterThanOrEqualTo: "${from.toISOString()}", lessThan: "${to.toISOString()}" },
  eventByEventId: { raceWeekByRaceWeekIdExists: true } }) {
  totalCount nodes { startTime eventByEventId { raceWeekByRaceWeekId {
    seriesBySeriesId { name } simLayoutByTrackId { trackName } } } } } }`;

interface PgSessions {
  allEventInstances: {
    totalCount: number;
    nodes: {
      startTime: string;
      eventByEventId: {
        raceWeekByRaceWeekId: {
          seriesBySeriesId: Named;
          simLayoutByTrackId: { trackName: string } | null;
        } | null;
      } | null;
    }[];
  };
}

export function normaliseSessions(answer: PgAnswer): unknown {
  const { allEventInstances: c } = dataOf<PgSessions>(answer);
  return {
    data: {
      sessions: {
        totalCount: c.totalCount,
        edges: c.nodes.map((n) => {
          const w = n.eventByEventId?.raceWeekByRaceWeekId;
          return {
            node: {
              startTime: iso(n.startTime),
              raceWeek: w ? { series: w.seriesBySeriesId, layout: w.simLayoutByTrackId } : null,
            },
          };
        }),
      },
    },
  };
}

// --- raceWeeks: a page of race weeks ---------------------------------------------------------------------------

/** raceWeeksGql: weeks that end after `from` and start before `to`, by start then id. */
export const pgRaceWeeksGql = (from: Date, to: Date) =>
  `{ allRaceWeeks(first: ${RACE_WEEKS_PAGE_SIZE}, orderBy: [START_TIME_ASC, ROW_ID_ASC], filter: {
  endTime: { greaterThan: "${from.toISOString()}" }, startTime: { lessThan: "${to.toISOString()}" } }) {
  nodes { rowId raceWeekNum startTime simLayoutByTrackId { trackName } seriesBySeriesId { name } } } }`;

interface PgRaceWeeks {
  allRaceWeeks: {
    nodes: {
      rowId: number;
      raceWeekNum: number;
      startTime: string;
      simLayoutByTrackId: { trackName: string } | null;
      seriesBySeriesId: Named;
    }[];
  };
}

export function normaliseRaceWeeks(answer: PgAnswer): unknown {
  const { allRaceWeeks: c } = dataOf<PgRaceWeeks>(answer);
  return {
    data: {
      raceWeeks: {
        edges: c.nodes.map((n) => ({
          node: {
            id: n.rowId,
            raceWeekNum: n.raceWeekNum,
            startTime: iso(n.startTime),
            layout: n.simLayoutByTrackId,
            series: n.seriesBySeriesId,
          },
        })),
      },
    },
  };
}

// --- seasons: the season graph ---------------------------------------------------------------------------------

/** SEASON_GRAPH_GQL: 100 active seasons, newest first, each with its weeks in order and everything under them. */
export const PG_SEASON_GRAPH_GQL = `{ allSeasons(first: 100, orderBy: [SEASON_ID_DESC], filter: { active: { equalTo: true } }) {
  nodes { seasonId name carClassIds seriesBySeriesId { name category }
    raceWeeksBySeasonId(orderBy: [RACE_WEEK_NUM_ASC]) { nodes {
      rowId raceWeekNum startTime endTime simLayoutByTrackId { trackName configName }
      carRestrictionsByRaceWeekId(orderBy: [CAR_ID_ASC]) { nodes {
        simCarByCarId { name } powerAdjustPct weightPenaltyKg maxDryTireSets maxPctFuelFill } }
      eventByRaceWeekId { eventClassesByEventId(orderBy: [POSITION_ASC]) { nodes {
        position carIds carClassByCarClassId { name carClassCarsByCarClassId(orderBy: [CAR_ID_ASC]) { nodes { carId } } } } } } } } } }
  allCarClasses { nodes { carClassId name } }
  allSimCars { nodes { carId name } } }`;

interface PgEventClass {
  position: number;
  carIds: number[];
  carClassByCarClassId: { name: string; carClassCarsByCarClassId: { nodes: { carId: number }[] } };
}

interface PgWeek {
  rowId: number;
  raceWeekNum: number;
  startTime: string;
  endTime: string;
  simLayoutByTrackId: { trackName: string; configName: string | null } | null;
  carRestrictionsByRaceWeekId: {
    nodes: ({ simCarByCarId: Named } & Record<
      'powerAdjustPct' | 'weightPenaltyKg' | 'maxDryTireSets' | 'maxPctFuelFill',
      number | null
    >)[];
  };
  eventByRaceWeekId: { eventClassesByEventId: { nodes: PgEventClass[] } } | null;
}

interface PgSeasonGraph {
  allSeasons: {
    nodes: {
      seasonId: number;
      name: string;
      carClassIds: number[];
      seriesBySeriesId: { name: string; category: string | null } | null;
      raceWeeksBySeasonId: { nodes: PgWeek[] };
    }[];
  };
  allCarClasses: { nodes: { carClassId: number; name: string }[] };
  allSimCars: { nodes: { carId: number; name: string }[] };
}

export function normaliseSeasonGraph(answer: PgAnswer): unknown {
  const d = dataOf<PgSeasonGraph>(answer);
  const classes = new Map(d.allCarClasses.nodes.map((c) => [c.carClassId, c]));
  const cars = new Map(d.allSimCars.nodes.map((c) => [c.carId, c]));
  const present = <T>(xs: (T | undefined)[]) => xs.filter((x): x is T => x !== undefined);
  // EventClass.cars: the class's cars in the week's list (all of them when the week lists none); when none of the
  // week's cars is in the class, the week's list as given.
  const carsOf = (ec: PgEventClass) => {
    const members = ec.carClassByCarClassId.carClassCarsByCarClassId.nodes.map((m) => m.carId);
    const week = new Set(ec.carIds);
    const inClass = ec.carIds.length ? members.filter((id) => week.has(id)) : members;
    const ids = inClass.length ? inClass : ec.carIds;
    return present(ids.map((id) => cars.get(id))).map((c) => ({ name: c.name }));
  };
  const week = (w: PgWeek) => ({
    id: w.rowId,
    raceWeekNum: w.raceWeekNum,
    startTime: iso(w.startTime),
    endTime: iso(w.endTime),
    layout: w.simLayoutByTrackId,
    carRestrictions: w.carRestrictionsByRaceWeekId.nodes.map(({ simCarByCarId, ...r }) => ({
      car: simCarByCarId,
      ...r,
    })),
    event: w.eventByRaceWeekId && {
      classes: w.eventByRaceWeekId.eventClassesByEventId.nodes.map((ec) => ({
        position: ec.position,
        carClass: { name: ec.carClassByCarClassId.name },
        cars: carsOf(ec),
      })),
    },
  });
  return {
    data: {
      seasons: {
        edges: d.allSeasons.nodes.map((s) => ({
          node: {
            id: s.seasonId,
            name: s.name,
            series: s.seriesBySeriesId,
            carClasses: present(s.carClassIds.map((id) => classes.get(id))).map((c) => ({
              id: c.carClassId,
              name: c.name,
            })),
            raceWeeks: s.raceWeeksBySeasonId.nodes.map(week),
          },
        })),
      },
    },
  };
}
