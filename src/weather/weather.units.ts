// iRacing's forecast numbers in real units (docs/architecture.md §5.8), as pure functions: forecast rows (scaled
// integers) to stored rows, the forecast summary over the rows that affect a session, and when a stored forecast
// needs fetching again. (The schedule's own `weather_summary` is normalised by the seasons module.)
import { IracingPayloadError } from '../iracing/iracing.errors.js';
import type { IracingForecastRow } from '../iracing/iracing.payloads.js';

/** One stored forecast hour. */
export interface ForecastRow {
  /** Minutes from the simulated race start (negative before it). */
  time_offset: number;
  /** The simulated local time at the track, `YYYY-MM-DDTHH:MM:SS` without zone (see `localDateTime`). */
  timestamp: string;
  air_temp_c: number | null;
  raw_air_temp_c: number | null;
  precip_chance_pct: number | null;
  precip_amount_mmh: number | null;
  rel_humidity_pct: number | null;
  wind_speed_ms: number | null;
  wind_dir_deg: number | null;
  pressure_hpa: number | null;
  cloud_cover_pct: number | null;
  is_sun_up: boolean | null;
  allow_precip: boolean | null;
  affects_session: boolean;
}

const LOCAL_DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * One of iRacing's simulated times (the forecast's `timestamp`, the schedule's `weather.simulated_start_time`) as
 * `YYYY-MM-DDTHH:MM:SS`: the wall-clock time the sim shows at the track, which carries no zone and is not a
 * real-world instant (a race run in September may simulate a February evening). A zone designator, never seen
 * in iRacing's files, is dropped rather than applied: the clock as written is what the sim shows. Null when `v`
 * is not such a date-time (or names a day that does not exist).
 */
export function localDateTime(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const m = LOCAL_DATE_TIME.exec(v.trim());
  if (!m) return null;
  const local = `${m[1]}T${m[2] ?? '00'}:${m[3] ?? '00'}:${m[4] ?? '00'}`;
  // Only to check that the day and the clock exist (2026-02-30, 24:10): read as UTC, no zone is applied.
  const ms = Date.parse(`${local}Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 19) === local ? local : null;
}

const scaled = (v: unknown, divisor: number): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? Math.round((v / divisor) * 1000) / 1000 : null;
const flag = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);

/**
 * Forecast file rows → stored rows: air temperature °C ×100, precipitation chance and humidity % ×100, wind m/s
 * ×100, pressure hPa ×10, cloud cover % ×10, precipitation mm/h ×10. Timestamps carry no zone: they are the
 * simulated local time at the track and are kept as such (`timestamp without time zone`), never read as UTC.
 * A timestamp that is no date-time fails the file (IracingPayloadError), as the payload check would.
 */
export function forecastRows(rows: IracingForecastRow[]): ForecastRow[] {
  return rows.map((r, i) => {
    const raw = r as Record<string, unknown>;
    const timestamp = localDateTime(r.timestamp);
    if (timestamp === null)
      throw new IracingPayloadError(
        'weather_url',
        `[${i}].timestamp`,
        `expected a local date-time (YYYY-MM-DDTHH:MM:SS), got ${JSON.stringify(r.timestamp)}`,
      );
    return {
      time_offset: r.time_offset,
      timestamp,
      air_temp_c: scaled(r.air_temp, 100),
      raw_air_temp_c: scaled(raw.raw_air_temp, 100),
      precip_chance_pct: scaled(r.precip_chance, 100),
      precip_amount_mmh: scaled(raw.precip_amount, 10),
      rel_humidity_pct: scaled(raw.rel_humidity, 100),
      wind_speed_ms: scaled(r.wind_speed, 100),
      wind_dir_deg: typeof raw.wind_dir === 'number' ? raw.wind_dir : null,
      pressure_hpa: scaled(raw.pressure, 10),
      cloud_cover_pct: scaled(raw.cloud_cover, 10),
      is_sun_up: flag(raw.is_sun_up),
      allow_precip: flag(raw.allow_precip),
      affects_session: r.affects_session === true,
    };
  });
}

export interface ForecastSummary {
  min_air_temp_c: number | null;
  max_air_temp_c: number | null;
  max_precip_chance_pct: number | null;
  rain_possible: boolean | null;
  max_wind_ms: number | null;
}

const EMPTY: ForecastSummary = {
  min_air_temp_c: null,
  max_air_temp_c: null,
  max_precip_chance_pct: null,
  rain_possible: null,
  max_wind_ms: null,
};

const values = (rows: ForecastRow[], pick: (r: ForecastRow) => number | null): number[] =>
  rows.map(pick).filter((v): v is number => v !== null);

/** The summary over the rows that affect a session (all nulls when none does). */
export function summarise(rows: ForecastRow[]): ForecastSummary {
  const session = rows.filter((r) => r.affects_session);
  if (session.length === 0) return { ...EMPTY };
  const temps = values(session, (r) => r.air_temp_c);
  const chances = values(session, (r) => r.precip_chance_pct);
  const winds = values(session, (r) => r.wind_speed_ms);
  return {
    min_air_temp_c: temps.length ? Math.min(...temps) : null,
    max_air_temp_c: temps.length ? Math.max(...temps) : null,
    max_precip_chance_pct: chances.length ? Math.max(...chances) : null,
    rain_possible: session.some(
      (r) => r.allow_precip !== false && ((r.precip_chance_pct ?? 0) > 0 || (r.precip_amount_mmh ?? 0) > 0),
    ),
    max_wind_ms: winds.length ? Math.max(...winds) : null,
  };
}

/** A presigned link without its signature: what identifies the file. */
export const linkPath = (url: string | null | undefined): string | null => (url ? url.split('?')[0] : null);

export interface ForecastState {
  weatherUrl: string | null;
  weatherVersion: number | null;
  fetchedAt: Date | null;
  fetchedVersion: number | null;
  fetchedPath: string | null;
}

/** Why a week's forecast must be fetched (null: the stored one is fresh). */
export function staleReason(s: ForecastState, now: Date, maxAgeMs: number): string | null {
  if (!s.weatherUrl) return null; // nothing to fetch
  if (!s.fetchedAt) return 'missing';
  if (s.weatherVersion !== null && s.weatherVersion !== s.fetchedVersion) return 'version changed';
  if (linkPath(s.weatherUrl) !== s.fetchedPath) return 'file changed';
  if (now.getTime() - s.fetchedAt.getTime() > maxAgeMs) return 'too old';
  return null;
}
