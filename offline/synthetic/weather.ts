// Synthetic weather of a race week: a climate drawn from the track's latitude and the time of year, hourly
// values hashed per hour (so any hour can be computed alone), and the payloads built from them: the forecast file
// behind a week's `weather_url` (shaped exactly like ../shared/iracing-samples/weather-forecast.json, with its
// integer encodings: °C×100, hPa×10, m/s×100, %×100, mm/h×10, %×10), the week's `weather` block with a
// `weather_summary` computed from the session hours, and the `weather`/`weather_result` blocks of results.
import { clamp, DAY, hash, HOUR, isoLocal, MINUTE, type Row } from './common.js';
import { mixSeed, Rng } from './random.js';

/** What the weather of one race week depends on. */
export interface WeekWeatherInput {
  seed: number;
  seasonId: number;
  weekNum: number;
  /** The week's start (Tuesday 00:00 UTC). */
  start: number;
  track: Row;
  /** The week's session start times, ascending. */
  starts: readonly number[];
  sessionMinutes: number;
  version: number;
  /** Where the week keeps its computed summary between calls (optional). */
  memo?: { summary?: Row; climate?: Climate };
}

interface Climate {
  tempMean: number;
  amp: number;
  humidity: number;
  pressure: number;
  wind: number;
  windDir: number;
  cloud: number;
  wet: boolean;
  lat: number;
  lon: number;
  key: number;
  /** The daily temperature curve by UTC hour, and the rain wave by hour modulo 17 (precomputed). */
  daily: number[];
  wave: number[];
}

interface Hour {
  temp: number;
  rawTemp: number;
  humidity: number;
  pressure: number;
  wind: number;
  windDir: number;
  cloud: number;
  precipChance: number;
  precipAmount: number;
  sunUp: boolean;
}

/** Hours of forecast before the week starts (the sample starts a few hours before its session). */
const LEAD_HOURS = 6;

function climate(input: WeekWeatherInput): Climate {
  const cached = input.memo?.climate;
  if (cached) return cached;
  const c = computeClimate(input);
  if (input.memo) input.memo.climate = c;
  return c;
}

function computeClimate(input: WeekWeatherInput): Climate {
  const key = hash(input.seed, 801, input.seasonId, input.weekNum + 1, input.version);
  const rng = new Rng(key);
  const lat = typeof input.track.latitude === 'number' ? input.track.latitude : 40;
  const lon = typeof input.track.longitude === 'number' ? input.track.longitude : -80;
  const dayOfYear = Math.floor((input.start - Date.UTC(new Date(input.start).getUTCFullYear(), 0, 1)) / DAY);
  const seasonal = Math.cos((2 * Math.PI * (dayOfYear - 200)) / 365) * (lat >= 0 ? 1 : -1);
  const wetAllowed = input.track.rain_enabled === true;
  const daily: number[] = [];
  for (let u = 0; u < 24; u++) {
    const local = (((u + lon / 15) % 24) + 24) % 24;
    daily.push(Math.sin((2 * Math.PI * (local - 9)) / 24));
  }
  const wave: number[] = [];
  for (let k = 0; k < 17; k++) wave.push(Math.sin((2 * Math.PI * k) / 17 + key));
  return {
    daily,
    wave,
    tempMean: 27 - 0.4 * Math.abs(lat) + 9 * seasonal * Math.min(1, Math.abs(lat) / 30) + rng.float(-3, 3),
    amp: rng.float(3, 7),
    humidity: rng.float(40, 85),
    pressure: rng.float(1000, 1025),
    wind: rng.float(0.5, 7),
    windDir: rng.int(0, 359),
    cloud: rng.float(0, 90),
    wet: wetAllowed && rng.bool(0.18),
    lat,
    lon,
    key,
  };
}

const scratch: Hour = {
  temp: 0,
  rawTemp: 0,
  humidity: 0,
  pressure: 0,
  wind: 0,
  windDir: 0,
  cloud: 0,
  precipChance: 0,
  precipAmount: 0,
  sunUp: false,
};

/**
 * The weather of the hour containing `ms`, written into `out` (a shared scratch object by default: copy what
 * you keep). One hash per hour seeds a small LCG for the hour's noise, so any hour is computed alone and fast.
 */
function hourAt(c: Climate, ms: number, out: Hour = scratch): Hour {
  const h = Math.floor(ms / HOUR);
  // Nine noise values in [-1, 1) from an LCG seeded by the hour's hash (inlined: this runs for every hour).
  let s = mixSeed(c.key, h);
  const n: number[] = noiseBuffer;
  for (let i = 0; i < 9; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    n[i] = (s / 4294967296) * 2 - 1;
  }
  const utc = h % 24;
  const temp = c.tempMean + c.amp * c.daily[utc] + n[0] * 0.8;
  const precipChance = c.wet ? clamp(0.45 + 0.5 * c.wave[h % 17] + n[2] * 0.1, 0, 1) : 0;
  const local = (((utc + c.lon / 15) % 24) + 24) % 24;
  out.temp = temp;
  out.rawTemp = temp - 4 - (n[4] + 1) * 4;
  out.humidity = clamp(c.humidity - (temp - c.tempMean) * 2 + n[5] * 5 + precipChance * 20, 5, 100);
  out.pressure = c.pressure + n[6] * 3;
  out.wind = clamp(c.wind + n[7] * 1.5, 0, 25);
  out.windDir = (c.windDir + Math.round(n[8] * 40) + 360) % 360;
  out.cloud = clamp(c.cloud + n[1] * 25 + (c.wet ? 30 : 0), 0, 100);
  out.precipChance = precipChance;
  out.precipAmount = precipChance > 0.6 ? clamp((precipChance - 0.6) * 12 + n[3], 0, 15) : 0;
  out.sunUp = local >= 6.5 && local < 19.5;
  return out;
}

const noiseBuffer: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0];

/** The forecast rows: hourly from a few hours before the week to its end. */
export function forecastRows(input: WeekWeatherInput): Row[] {
  const c = climate(input);
  const first = input.starts.length > 0 ? input.starts[0] : input.start;
  const begin = input.start - LEAD_HOURS * HOUR;
  const count = 7 * 24 + LEAD_HOURS;
  const affected = affectedHours(input, begin, count);
  const rows: Row[] = [];
  for (let i = 0; i < count; i++) {
    const ms = begin + i * HOUR;
    const w = hourAt(c, ms);
    rows.push({
      time_offset: Math.round((ms - first) / MINUTE),
      raw_air_temp: Math.round(w.rawTemp * 100),
      precip_chance: Math.round(w.precipChance * 10000),
      index: i,
      is_sun_up: w.sunUp,
      pressure: Math.round(w.pressure * 10),
      wind_dir: w.windDir,
      air_temp: Math.round(w.temp * 100),
      valid_stats: true,
      affects_session: affected[i] === 1,
      cloud_cover: Math.round(w.cloud * 10),
      rel_humidity: Math.round(w.humidity * 100),
      wind_speed: Math.round(w.wind * 100),
      allow_precip: c.wet,
      timestamp: isoLocal(ms),
      precip_amount: Math.round(w.precipAmount * 10),
    });
  }
  return rows;
}

/** 1 for each forecast hour that overlaps a session of the week. */
function affectedHours(input: WeekWeatherInput, begin: number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  const length = input.sessionMinutes * MINUTE;
  for (const s of input.starts) {
    const from = Math.max(0, Math.floor((s - begin) / HOUR));
    const to = Math.min(count - 1, Math.floor((s + length - 1 - begin) / HOUR));
    for (let i = from; i <= to; i++) out[i] = 1;
  }
  return out;
}

const skiesOf = (cloudPct: number): number => (cloudPct < 15 ? 0 : cloudPct < 50 ? 1 : cloudPct < 85 ? 2 : 3);
const compass = (deg: number): number => Math.round(deg / 45) % 8;

/** The `weather_summary` of the week: extremes over the hours that affect sessions. */
function summary(input: WeekWeatherInput, c: Climate): Row {
  const cached = input.memo?.summary;
  if (cached) return { ...cached };
  const computed = computeSummary(input, c);
  if (input.memo) input.memo.summary = computed;
  return { ...computed };
}

/**
 * The ranges the forecast stays within over the hours of day that have sessions: computed from the climate
 * (the hourly noise is bounded), so it is cheap and every affected forecast row lies inside it.
 */
function computeSummary(input: WeekWeatherInput, c: Climate): Row {
  const mask = new Uint8Array(24);
  const length = input.sessionMinutes * MINUTE;
  let covered = 0;
  for (const s of input.starts) {
    for (let t = Math.floor(s / HOUR) * HOUR; t < s + length && covered < 24; t += HOUR) {
      const u = Math.floor(t / HOUR) % 24;
      if (mask[u] === 0) {
        mask[u] = 1;
        covered++;
      }
    }
    if (covered === 24) break;
  }
  let dHi = -Infinity;
  let dLo = Infinity;
  for (let u = 0; u < 24; u++) {
    if (covered > 0 && mask[u] === 0) continue;
    dHi = Math.max(dHi, c.daily[u]);
    dLo = Math.min(dLo, c.daily[u]);
  }
  let waveHi = -1;
  for (const w of c.wave) waveHi = Math.max(waveHi, w);
  const wet = c.wet ? 30 : 0;
  const pc = c.wet ? clamp(0.45 + 0.5 * waveHi + 0.1, 0, 1) : 0;
  const rate = pc > 0.6 ? Math.ceil(clamp((pc - 0.6) * 12 + 1, 0, 15) * 10) / 10 : 0;
  const up = (v: number): number => Math.ceil(v * 10) / 10;
  const down = (v: number): number => Math.floor(v * 10) / 10;
  return {
    max_precip_rate: rate,
    max_precip_rate_desc: rate === 0 ? 'None' : rate < 1 ? 'Light' : rate < 4 ? 'Moderate' : 'Heavy',
    precip_chance: Math.ceil(pc * 100),
    skies_high: skiesOf(clamp(c.cloud + 25 + wet, 0, 100)),
    skies_low: skiesOf(clamp(c.cloud - 25 + wet, 0, 100)),
    temp_high: up(c.tempMean + c.amp * dHi + 0.8),
    temp_low: down(c.tempMean + c.amp * dLo - 0.8),
    temp_units: 1,
    wind_dir: compass(c.windDir),
    wind_high: up(clamp(c.wind + 1.5, 0, 25) * 3.6),
    wind_low: down(clamp(c.wind - 1.5, 0, 25) * 3.6),
    wind_units: 1,
  };
}

/** Computes the week's climate and summary into its memo ahead of use. */
export function prepareWeather(input: WeekWeatherInput): void {
  summary(input, climate(input));
}

/** The path (under `/files/`) of a week's forecast file, and its parser. */
export const forecastPath = (seasonId: number, weekNum: number, version: number): string =>
  `weather/${seasonId}-${weekNum}-v${version}.json`;

export function parseForecastPath(
  path: string,
): { seasonId: number; weekNum: number; version: number } | undefined {
  const m = /^weather\/(\d+)-(\d+)-v(\d+)\.json$/.exec(path);
  return m ? { seasonId: Number(m[1]), weekNum: Number(m[2]), version: Number(m[3]) } : undefined;
}

const TIME_OFFSETS: readonly (readonly [readonly number[], number])[] = [
  [[15, 30], 50],
  [[15, 35], 30],
  [[15, 30, 80, 105], 10],
  [[20, 60], 5],
];

/** The race week's `weather` block of series/seasons and series/season_schedule. */
export function weekWeatherBlock(input: WeekWeatherInput, weatherUrl: string): Row {
  const c = climate(input);
  const rng = new Rng(hash(c.key, 3));
  const first = input.starts.length > 0 ? input.starts[0] : input.start;
  const w = hourAt(c, first, { ...scratch });
  const options: Row = {
    allow_fog: false,
    forecast_type: 1,
    precipitation: c.wet ? 0 : 1,
    skies: 0,
    stop_precip: 0,
    temperature: 0,
  };
  if (rng.bool(0.98)) {
    const magnitude = rng.int(0, 2 ** 21) * 2 ** 31 + rng.int(0, 2 ** 31 - 1);
    options.weather_seed = rng.bool(0.5) ? -magnitude : magnitude;
  }
  options.wind_dir = 0;
  options.wind_speed = 0;
  const offsets = rng.weighted(TIME_OFFSETS);
  return {
    allow_fog: false,
    forecast_options: options,
    precip_option: c.wet ? 8 : 0,
    rel_humidity: Math.round(w.humidity),
    simulated_start_time: isoLocal(Math.floor(first / (15 * MINUTE)) * 15 * MINUTE + rng.int(0, 8) * HOUR),
    simulated_time_multiplier: 1,
    simulated_time_offsets: [...offsets],
    skies: skiesOf(w.cloud),
    temp_units: 0,
    temp_value: Math.round((w.temp * 9) / 5 + 32),
    time_of_day: rng.int(0, 9),
    track_water: 0,
    version: input.version,
    weather_summary: summary(input, c),
    weather_url: weatherUrl,
    wind_dir: compass(w.windDir),
    wind_units: 0,
    wind_value: Math.round(w.wind * 2.237),
  };
}

/** The subsession's `weather` block of results/get (metric units, as results carry them). */
export function resultWeather(input: WeekWeatherInput, at: number): Row {
  const c = climate(input);
  const w = hourAt(c, at, { ...scratch });
  return {
    allow_fog: false,
    fog: 0,
    precip_mm2hr_before_final_session: 0,
    precip_mm_final_session: Math.round(w.precipAmount),
    precip_option: c.wet ? 8 : 0,
    precip_time_pct: Math.round(w.precipChance * 100),
    rel_humidity: Math.round(w.humidity),
    simulated_start_time: isoLocal(at),
    skies: skiesOf(w.cloud),
    temp_units: 1,
    temp_value: Math.round(w.temp),
    time_of_day: 2,
    track_water: 0,
    type: 3,
    version: input.version,
    weather_var_initial: 0,
    weather_var_ongoing: 0,
    wind_dir: compass(w.windDir),
    wind_units: 1,
    wind_value: Math.round(w.wind * 3.6),
  };
}

/** A simsession's `weather_result` in results/get, over [from, to]. */
export function weatherResult(input: WeekWeatherInput, from: number, to: number): Row {
  const c = climate(input);
  const a = hourAt(c, from, { ...scratch });
  const b = hourAt(c, Math.max(from, to), { ...scratch });
  // Non-integer floats as the API writes them (values like 18.445652).
  const f = (v: number): number => {
    const x = Math.round(v * 1e5) / 1e5;
    return Number.isInteger(x) ? x + 0.00001 : x;
  };
  const lo = (x: number, y: number): number => Math.min(x, y);
  const hi = (x: number, y: number): number => Math.max(x, y);
  return {
    avg_skies: skiesOf((a.cloud + b.cloud) / 2),
    avg_cloud_cover_pct: f((a.cloud + b.cloud) / 2),
    min_cloud_cover_pct: f(lo(a.cloud, b.cloud)),
    max_cloud_cover_pct: f(hi(a.cloud, b.cloud)),
    temp_units: 1,
    avg_temp: f((a.temp + b.temp) / 2),
    min_temp: f(lo(a.temp, b.temp)),
    max_temp: f(hi(a.temp, b.temp)),
    avg_rel_humidity: f((a.humidity + b.humidity) / 2),
    wind_units: 1,
    avg_wind_speed: f(((a.wind + b.wind) / 2) * 3.6),
    min_wind_speed: f(lo(a.wind, b.wind) * 3.6),
    max_wind_speed: f(hi(a.wind, b.wind) * 3.6),
    avg_wind_dir: compass(a.windDir),
    max_fog: 0,
    fog_time_pct: 0,
    precip_time_pct: Math.round(((a.precipChance + b.precipChance) / 2) * 100),
    precip_mm: Math.round(a.precipAmount),
    precip_mm2hr_before_session: 0,
    simulated_start_time: isoLocal(from),
  };
}
