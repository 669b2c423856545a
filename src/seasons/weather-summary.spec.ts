import { normaliseWeatherSummary, toCelsius, toMetresPerSecond } from './weather-summary.js';

describe('the schedule weather summary', () => {
  it('honours temp_units and wind_units', () => {
    expect(toCelsius(19.6, 1)).toBe(19.6);
    expect(toCelsius(70, 0)).toBe(21.11);
    expect(toCelsius(70, 7)).toBeNull();
    expect(toMetresPerSecond(17.4, 1)).toBe(4.83);
    expect(toMetresPerSecond(10, 0)).toBe(4.47);
    expect(
      normaliseWeatherSummary({
        max_precip_rate: 0,
        max_precip_rate_desc: 'None',
        precip_chance: 0,
        skies_high: 1,
        skies_low: 0,
        temp_high: 19.6,
        temp_low: 19.3,
        temp_units: 1,
        wind_dir: 2,
        wind_high: 17.4,
        wind_low: 15.2,
        wind_units: 1,
      }),
    ).toEqual({
      temp_low_c: 19.3,
      temp_high_c: 19.6,
      wind_low_ms: 4.22,
      wind_high_ms: 4.83,
      wind_dir: 2,
      precip_chance_pct: 0,
      max_precip_rate_mmh: 0,
      max_precip_rate_desc: 'None',
      skies_low: 0,
      skies_high: 1,
    });
    expect(normaliseWeatherSummary(null)).toBeNull();
  });
});
