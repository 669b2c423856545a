import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { forecastPayload } from '../iracing/iracing.payloads.js';
import { forecastRows, localDateTime, staleReason, summarise } from './weather.units.js';
import type { ForecastRow } from './weather.units.js';

const recorded = forecastPayload(
  JSON.parse(readFileSync(resolve(process.cwd(), '../shared/iracing-samples/weather-forecast.json'), 'utf8')),
  '',
);

describe('forecast conversions on the recorded file', () => {
  const rows = forecastRows(recorded);

  it('converts every scaled field to real units', () => {
    expect(rows).toHaveLength(8);
    expect(rows[0]).toEqual({
      time_offset: -385,
      timestamp: '2024-04-13T12:00:00', // as given: the simulated local time, no zone added
      air_temp_c: 18.63, // 1863
      raw_air_temp_c: 7.72, // 772
      precip_chance_pct: 100, // 10000
      precip_amount_mmh: 4.2, // 42
      rel_humidity_pct: 99.99, // 9999
      wind_speed_ms: 6.07, // 607
      wind_dir_deg: 239,
      pressure_hpa: 967.1, // 9671
      cloud_cover_pct: 76.6, // 766
      is_sun_up: true,
      allow_precip: true,
      affects_session: false,
    });
    expect(rows[7]).toMatchObject({ rel_humidity_pct: 100, precip_amount_mmh: 13.1, cloud_cover_pct: 95.2 });
  });

  it('summarises only the rows that affect a session', () => {
    const session = rows.filter((r) => r.affects_session);
    expect(session).toHaveLength(2);
    const s = summarise(rows);
    expect(s.min_air_temp_c).toBe(Math.min(...session.map((r) => r.air_temp_c as number)));
    expect(s.max_air_temp_c).toBe(Math.max(...session.map((r) => r.air_temp_c as number)));
    expect(s.max_precip_chance_pct).toBe(Math.max(...session.map((r) => r.precip_chance_pct as number)));
    expect(s.max_wind_ms).toBe(Math.max(...session.map((r) => r.wind_speed_ms as number)));
    expect(s.rain_possible).toBe(true);
    // A hotter hour outside the session does not count.
    const hot: ForecastRow = { ...rows[0], air_temp_c: 45, affects_session: false };
    expect(summarise([...rows, hot]).max_air_temp_c).toBe(s.max_air_temp_c);
    // Dry when precipitation is not allowed or has no chance; nothing when no row affects a session.
    const dry = session.map((r) => ({ ...r, allow_precip: false }));
    expect(summarise(dry).rain_possible).toBe(false);
    expect(summarise(rows.map((r) => ({ ...r, affects_session: false })))).toEqual({
      min_air_temp_c: null,
      max_air_temp_c: null,
      max_precip_chance_pct: null,
      rain_possible: null,
      max_wind_ms: null,
    });
  });
});

describe('simulated local times', () => {
  it('keeps the wall-clock time as written, without zone', () => {
    expect(localDateTime('2026-02-14T18:00:00')).toBe('2026-02-14T18:00:00');
    expect(localDateTime('2026-02-14T17:00')).toBe('2026-02-14T17:00:00');
    expect(localDateTime('2026-02-14 17:05:09.250')).toBe('2026-02-14T17:05:09');
    expect(localDateTime('2026-02-14')).toBe('2026-02-14T00:00:00');
    // A zone is never applied: the clock as written is what the sim shows.
    expect(localDateTime('2026-02-14T18:00:00Z')).toBe('2026-02-14T18:00:00');
    expect(localDateTime('2026-02-14T18:00:00-05:00')).toBe('2026-02-14T18:00:00');
    // An hour that does not exist in some real zones (US DST starts on 2026-03-08 at 02:00) is still an hour here.
    expect(localDateTime('2026-03-08T02:30:00')).toBe('2026-03-08T02:30:00');
  });

  it('refuses what is no date-time', () => {
    for (const v of ['2026-02-30T18:00:00', '2026-02-14T24:10:00', 'February 14', '', null, 1771092000000])
      expect(localDateTime(v)).toBeNull();
  });

  it('stores forecast timestamps as given and fails a file with a timestamp that is no date-time', () => {
    const row = { ...recorded[0], timestamp: '2026-02-14T18:00:00' };
    expect(forecastRows([row])[0].timestamp).toBe('2026-02-14T18:00:00');
    expect(() => forecastRows([row, { ...row, time_offset: 35, timestamp: 'April 13, 2024' }])).toThrow(
      'weather_url sent a malformed payload at [1].timestamp: expected a local date-time',
    );
  });
});

describe('staleReason', () => {
  const now = new Date('2026-11-20T03:00:00Z');
  const day = 86_400_000;
  const fresh = {
    weatherUrl: 'https://s3/season/1/rw0.json?X-Amz-Signature=a',
    weatherVersion: 3,
    fetchedAt: new Date(now.getTime() - 3_600_000),
    fetchedVersion: 3,
    fetchedPath: 'https://s3/season/1/rw0.json',
  };
  it('keeps a fresh forecast, even when only the link signature changed', () => {
    expect(staleReason(fresh, now, day)).toBeNull();
    expect(
      staleReason({ ...fresh, weatherUrl: `${fresh.fetchedPath}?X-Amz-Signature=b` }, now, day),
    ).toBeNull();
  });
  it('refetches a missing, re-versioned, moved or old forecast', () => {
    expect(staleReason({ ...fresh, fetchedAt: null }, now, day)).toBe('missing');
    expect(staleReason({ ...fresh, weatherVersion: 4 }, now, day)).toBe('version changed');
    expect(staleReason({ ...fresh, weatherUrl: 'https://s3/season/1/rw0_v2.json?x' }, now, day)).toBe(
      'file changed',
    );
    expect(staleReason({ ...fresh, fetchedAt: new Date(now.getTime() - 2 * day) }, now, day)).toBe('too old');
    expect(staleReason({ ...fresh, weatherUrl: null }, now, day)).toBeNull();
  });
});
