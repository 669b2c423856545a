import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seasonDetail } from '../iracing/iracing.payloads.js';
import { orderEventClasses, seasonBundle, seasonRefs, stableSeasonPayload } from './seasons.mapping.js';

const SAMPLES = process.env.IRACING_SAMPLES_DIR ?? join(process.cwd(), '..', 'shared', 'iracing-samples');
const seasons = (JSON.parse(readFileSync(join(SAMPLES, 'series-seasons.json'), 'utf8')) as unknown[]).map(
  (s, i) => seasonDetail(s, `[${i}]`),
);
const speeds = new Map(
  (
    JSON.parse(readFileSync(join(SAMPLES, 'carclass-get.json'), 'utf8')) as {
      car_class_id: number;
      relative_speed: number;
    }[]
  ).map((c) => [c.car_class_id, c.relative_speed]),
);

describe('seasonBundle on the recorded series/seasons', () => {
  it('maps every week, restriction and class, and the session starts of every week', () => {
    const bundles = seasons.map((s) => seasonBundle(s));
    expect(bundles.reduce((n, b) => n + b.weeks.length, 0)).toBe(527);
    expect(bundles.reduce((n, b) => n + b.restrictions.length, 0)).toBe(909);
    const first = bundles[0];
    expect(first.weeks[0]).toMatchObject({
      season_id: 5376,
      race_week_num: 0,
      track_id: 191,
      start_time: '2025-02-11T00:00:00.000Z',
      end_time: '2025-02-17T23:58:00.000Z',
      race_lap_limit: 50,
      car_class_ids: [71],
      weather_version: 1,
    });
    expect(first.weeks[0].weather_url).toMatch(/^https:\/\/scorpio-assets/);
    expect(first.weeks[0].weather).not.toHaveProperty('weather_url');
    // 00:45 every two hours, seven days: 84 sessions of 72 minutes.
    const week0 = first.instances.filter((i) => i.race_week_num === 0);
    expect(week0).toHaveLength(84);
    expect(week0[0]).toMatchObject({ start_time: '2025-02-11T00:45:00.000Z', session_minutes: 72 });
  });

  it('names the same catalog ids through seasonRefs as through the whole bundle', () => {
    for (const s of seasons) expect(seasonRefs(s)).toEqual(seasonBundle(s).refs);
  });

  it('orders a multiclass event fastest first', () => {
    const multi = seasons.find((s) => s.car_class_ids?.length === 5);
    const bundle = seasonBundle(multi as (typeof seasons)[number]);
    orderEventClasses(bundle, (id) => speeds.get(id) ?? 0);
    const week = bundle.classes
      .filter((c) => c.race_week_num === bundle.weeks[0].race_week_num)
      .sort((a, b) => a.position - b.position);
    expect(week.map((c) => [c.position, speeds.get(c.car_class_id)])).toEqual([
      [0, 52],
      [1, 51],
      [2, 49],
      [3, 45],
      [4, 42],
    ]);
  });

  it('hashes presigned weather links by their path only', () => {
    const s = seasons[0];
    const moved = structuredClone(s);
    const weather = (moved.schedules?.[0] as Record<string, Record<string, string>>).weather;
    weather.weather_url = weather.weather_url.replace(/X-Amz-Date=\w+/, 'X-Amz-Date=20250910T000000Z');
    expect(JSON.stringify(stableSeasonPayload(moved))).toBe(JSON.stringify(stableSeasonPayload(s)));
  });
});
