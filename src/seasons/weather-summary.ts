// The schedule's own weather summary (`weather.weather_summary` of a race week) in °C and m/s, honouring its
// `temp_units` (0 °F, 1 °C) and `wind_units` (0 mph, 1 km/h) (docs/architecture.md §5.8).

/** iRacing's schedule `weather_summary`, in °C and m/s. */
export interface WeatherSummary {
  temp_low_c: number | null;
  temp_high_c: number | null;
  wind_low_ms: number | null;
  wind_high_ms: number | null;
  wind_dir: number | null;
  precip_chance_pct: number | null;
  max_precip_rate_mmh: number | null;
  max_precip_rate_desc: string | null;
  skies_low: number | null;
  skies_high: number | null;
}

const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

/** °F (units 0) or °C (units 1) → °C. */
export function toCelsius(value: unknown, units: unknown): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  if (units === 1) return round(value);
  if (units === 0) return round(((value - 32) * 5) / 9);
  return null;
}

/** mph (units 0) or km/h (units 1) → m/s. */
export function toMetresPerSecond(value: unknown, units: unknown): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  if (units === 1) return round(value / 3.6);
  if (units === 0) return round(value * 0.44704);
  return null;
}

/** The schedule's summary normalised; null when absent or in units iRacing does not document. */
export function normaliseWeatherSummary(summary: unknown): WeatherSummary | null {
  if (!summary || typeof summary !== 'object') return null;
  const s = summary as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    temp_low_c: toCelsius(s.temp_low, s.temp_units),
    temp_high_c: toCelsius(s.temp_high, s.temp_units),
    wind_low_ms: toMetresPerSecond(s.wind_low, s.wind_units),
    wind_high_ms: toMetresPerSecond(s.wind_high, s.wind_units),
    wind_dir: num(s.wind_dir),
    precip_chance_pct: num(s.precip_chance),
    max_precip_rate_mmh: num(s.max_precip_rate),
    max_precip_rate_desc: typeof s.max_precip_rate_desc === 'string' ? s.max_precip_rate_desc : null,
    skies_low: num(s.skies_low),
    skies_high: num(s.skies_high),
  };
}
