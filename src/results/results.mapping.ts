// Pure mapping of `results/get` and `results/lap_data` payloads to the rows the results importer upserts.
// A solo race has one row per driver; a team race one row per team (negative `team_id`, no `cust_id`) carrying
// its drivers in `driver_results`. Every simsession (practice, qualify, race) is kept. A league session carries
// `league_id` with `season_id`, `series_id` and `race_week_num` all 0; a hosted one no series (0 or absent):
// both are stored with those columns null, so nothing looks for their season.
import type { IracingResult } from '../iracing/iracing.payloads.js';
import { SubsessionKind } from './entities/subsession-kind.js';

type Raw = Record<string, unknown>;

const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);
/** A count, time or rating iRacing gives, or null for its -1 ("not applicable") and anything not a whole number ≥ 0. */
export const measure = (v: unknown): number | null => {
  const n = int(v);
  return n !== null && n >= 0 ? n : null;
};
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
/** An iRacing id: 0 and -1 mean "none". */
const id = (v: unknown): number | null => {
  const n = int(v);
  return n !== null && n > 0 ? n : null;
};

/**
 * The kind of a `results/get` payload: a league session names its league; otherwise a session without a season
 * (`season_id` 0 or absent) is a hosted one. Tolerant of either shape iRacing has sent.
 */
function subsessionKind(r: Raw): SubsessionKind {
  if (id(r.league_id) !== null) return SubsessionKind.LEAGUE;
  if (id(r.season_id) === null) return SubsessionKind.HOSTED;
  return SubsessionKind.OFFICIAL;
}

const EVENT_COLUMNS = [
  'subsession_id',
  'session_id',
  'season_id',
  'series_id',
  'race_week_num',
  'league_id',
  'league_season_id',
  'session_name',
  'start_time',
  'end_time',
  'track',
  'event_type',
  'official_session',
  'license_category',
  'num_drivers',
  'event_strength_of_field',
  'num_cautions',
  'num_caution_laps',
  'num_lead_changes',
  'event_laps_complete',
  'event_best_lap_time',
  'event_average_lap',
  'driver_changes',
  'weather',
  'track_state',
  'session_results',
];

/** Row fields kept as columns; the rest of a row (livery, helmet, ratings detail…) goes to `raw`. */
const ROW_COLUMNS = [
  'cust_id',
  'team_id',
  'display_name',
  'car_id',
  'car_class_id',
  'finish_position',
  'finish_position_in_class',
  'starting_position',
  'laps_complete',
  'laps_lead',
  'incidents',
  'best_lap_time',
  'best_lap_num',
  'average_lap',
  'interval',
  'reason_out',
  'champ_points',
  'oldi_rating',
  'newi_rating',
  'old_license_level',
  'new_license_level',
  'old_sub_level',
  'new_sub_level',
  'driver_results',
];

function rowColumns(r: Raw, simsession: number) {
  const raw: Raw = {};
  for (const [k, v] of Object.entries(r)) if (!ROW_COLUMNS.includes(k)) raw[k] = v;
  return {
    simsession_number: simsession,
    display_name: text(r.display_name),
    car_id: int(r.car_id),
    car_class_id: int(r.car_class_id),
    finish_position: int(r.finish_position),
    finish_position_in_class: int(r.finish_position_in_class),
    // -1 where not applicable (no start position in a practice, no timed lap, no interval): null.
    starting_position: measure(r.starting_position),
    laps_complete: int(r.laps_complete),
    laps_lead: int(r.laps_lead),
    incidents: int(r.incidents),
    best_lap_time: measure(r.best_lap_time),
    best_lap_num: measure(r.best_lap_num),
    average_lap: measure(r.average_lap),
    interval: measure(r.interval),
    reason_out: text(r.reason_out),
    champ_points: measure(r.champ_points),
    raw,
  };
}

function driverColumns(r: Raw, simsession: number, teamId: number | null) {
  return {
    ...rowColumns(r, simsession),
    cust_id: r.cust_id as number,
    team_id: teamId,
    oldi_rating: int(r.oldi_rating),
    newi_rating: int(r.newi_rating),
    old_license_level: int(r.old_license_level),
    new_license_level: int(r.new_license_level),
    old_sub_level: int(r.old_sub_level),
    new_sub_level: int(r.new_sub_level),
  };
}

export type TeamRow = ReturnType<typeof rowColumns> & { team_id: number };
export type DriverRow = ReturnType<typeof driverColumns>;

export interface SubsessionBundle {
  event: Raw & {
    subsession_id: number;
    kind: SubsessionKind;
    season_id: number | null;
    race_week_num: number | null;
    track_id: number;
  };
  teams: TeamRow[];
  drivers: DriverRow[];
  /** `car_classes[]`: entries and strength of field per class (one row per class). */
  classes: ClassRow[];
  refs: { carIds: number[]; carClassIds: number[]; trackId: number };
}

export interface ClassRow {
  car_class_id: number;
  /** iRacing's order of the classes (0 first). */
  position: number;
  strength_of_field: number | null;
  entries: number | null;
}

/** The subsession's classes (`car_classes[]`, absent before 2024), the first row of a class repeated kept. */
function classRows(r: IracingResult): ClassRow[] {
  const rows = new Map<number, ClassRow>();
  for (const c of r.car_classes ?? []) {
    if (rows.has(c.car_class_id)) continue;
    rows.set(c.car_class_id, {
      car_class_id: c.car_class_id,
      position: rows.size,
      strength_of_field: measure(c.strength_of_field),
      entries: measure(c.num_entries),
    });
  }
  return [...rows.values()];
}

/** The team and driver rows of every simsession; throws naming the row when a driver row has no cust_id. */
function resultRows(r: IracingResult): { teams: TeamRow[]; drivers: DriverRow[] } {
  const teams: TeamRow[] = [];
  const drivers: DriverRow[] = [];
  for (const s of r.session_results) {
    s.results.forEach((row, i) => {
      const x = row as Raw;
      const drivenBy = Array.isArray(x.driver_results) ? (x.driver_results as Raw[]) : null;
      if (drivenBy && typeof x.team_id === 'number') {
        teams.push({ ...rowColumns(x, s.simsession_number), team_id: x.team_id });
        for (const d of drivenBy) drivers.push(driverColumns(d, s.simsession_number, x.team_id));
      } else {
        if (typeof x.cust_id !== 'number')
          throw new Error(
            `results/get ${r.subsession_id}: simsession ${s.simsession_number} row ${i} has neither cust_id nor driver_results`,
          );
        drivers.push(driverColumns(x, s.simsession_number, int(x.team_id)));
      }
    });
  }
  return { teams, drivers };
}

/** The subsession's own row: a series race with its season and week, a league or hosted one without. */
function eventRow(r: IracingResult): SubsessionBundle['event'] {
  const raw = r as Raw;
  const rest: Raw = {};
  for (const [k, v] of Object.entries(raw)) if (!EVENT_COLUMNS.includes(k)) rest[k] = v;
  const kind = subsessionKind(raw);
  const series = kind === SubsessionKind.OFFICIAL;
  return {
    subsession_id: r.subsession_id,
    session_id: int(r.session_id),
    kind,
    // Only a series race has a season and a week (race_week_num is 0-based: 0 is a week there).
    season_id: series ? id(r.season_id) : null,
    series_id: series ? id(r.series_id) : null,
    race_week_num: series ? int(r.race_week_num) : null,
    league_id: kind === SubsessionKind.LEAGUE ? id(raw.league_id) : null,
    league_season_id: kind === SubsessionKind.LEAGUE ? id(raw.league_season_id) : null,
    session_name: text(raw.session_name),
    start_time: r.start_time,
    end_time: r.end_time ?? null,
    track_id: r.track.track_id,
    event_type: int(raw.event_type),
    official: typeof raw.official_session === 'boolean' ? raw.official_session : null,
    license_category: text(raw.license_category),
    num_drivers: int(raw.num_drivers),
    // -1 where not applicable (a practice has no SoF or cautions): null.
    strength_of_field: measure(r.event_strength_of_field),
    num_cautions: measure(r.num_cautions),
    num_caution_laps: measure(raw.num_caution_laps),
    num_lead_changes: measure(r.num_lead_changes),
    event_laps_complete: int(raw.event_laps_complete),
    event_best_lap_time: int(raw.event_best_lap_time),
    event_average_lap: int(raw.event_average_lap),
    driver_changes: raw.driver_changes === true,
    weather: (raw.weather as Raw | undefined) ?? null,
    track_state: (raw.track_state as Raw | undefined) ?? null,
    simsessions: r.session_results.map((s) => ({
      simsession_number: s.simsession_number,
      simsession_type: s.simsession_type ?? null,
      simsession_name: s.simsession_name ?? null,
    })),
    raw: rest,
  };
}

/** Maps a checked `results/get` payload; throws naming the row when a driver row has no cust_id. */
export function subsessionBundle(r: IracingResult): SubsessionBundle {
  const { teams, drivers } = resultRows(r);
  const carIds = new Set<number>();
  const classIds = new Set<number>();
  for (const row of [...teams, ...drivers]) {
    if (row.car_id !== null) carIds.add(row.car_id);
    if (row.car_class_id !== null) classIds.add(row.car_class_id);
  }
  return {
    event: eventRow(r),
    teams,
    drivers,
    classes: classRows(r),
    refs: { carIds: [...carIds], carClassIds: [...classIds], trackId: r.track.track_id },
  };
}

/** Lap rows of one simsession for the `lap` table (the driver's cust_id on each, also in team races). */
export function lapRows(
  subsessionId: number,
  simsessionNumber: number,
  rows: Raw[],
  fallbackCustId?: number,
) {
  return rows
    .filter((l) => typeof l.lap_number === 'number')
    .map((l) => ({
      subsession_id: subsessionId,
      simsession_number: simsessionNumber,
      cust_id: int(l.cust_id) ?? fallbackCustId ?? null,
      group_id: int(l.group_id),
      lap_number: l.lap_number as number,
      lap_time: int(l.lap_time) ?? -1,
      flags: int(l.flags),
      incident: typeof l.incident === 'boolean' ? l.incident : null,
      session_time: int(l.session_time),
      personal_best_lap: typeof l.personal_best_lap === 'boolean' ? l.personal_best_lap : null,
      lap_events: Array.isArray(l.lap_events) ? l.lap_events.map(String) : [],
    }))
    .filter((l) => l.cust_id !== null);
}
