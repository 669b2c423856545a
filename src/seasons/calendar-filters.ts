// The calendar's filters (docs/architecture.md §6.1): checks of the arguments and the conditions a race week
// (alias `rw`) must meet, shared by the race weeks and the calendar of sessions (SeasonsService).
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { BadInputError } from '../core/errors/domain-error.js';
import type { OwnedContent } from '../core/ownership.js';
import type { CalendarFilter } from './dto/seasons.args.js';
import type { Session } from './entities/event.entity.js';
import type { RaceWeek } from './entities/race-week.entity.js';

export function checkTemperatures(f?: CalendarFilter): void {
  if (f?.minAirTempC !== undefined && f.maxAirTempC !== undefined && f.minAirTempC > f.maxAirTempC)
    throw new BadInputError(
      `"minAirTempC" (${f.minAirTempC}) must not be above "maxAirTempC" (${f.maxAirTempC})`,
    );
}

export function checkRange(from?: Date, to?: Date): void {
  for (const [name, d] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (d && Number.isNaN(d.getTime())) throw new BadInputError(`"${name}" is not a valid time`);
  }
  if (from && to && from.getTime() >= to.getTime())
    throw new BadInputError(`"from" (${from.toISOString()}) must be before "to" (${to.toISOString()})`);
}

/** Where a race week (alias `rw`) lets one of `carIds` race: its own cars when it lists them, else its classes'. */
const WEEK_ALLOWS_CARS = `(CASE WHEN cardinality(rw.car_ids) > 0 THEN rw.car_ids && CAST(:carIds AS int[])
  ELSE EXISTS (SELECT 1 FROM car_class_car m WHERE m.car_class_id = ANY(rw.car_class_ids) AND m.car_id = ANY(CAST(:carIds AS int[]))) END)`;

/** Weeks (alias `rw`) on a track the member owns or that is free, with an allowed car they own or that is free. */
export function ownedFilter(qb: SelectQueryBuilder<Session>, owned: OwnedContent): void {
  qb.andWhere(
    `EXISTS (SELECT 1 FROM sim_layout l JOIN sim_track t ON t.package_id = l.package_id
       WHERE l.track_id = rw.track_id AND (t.free_with_subscription OR t.package_id = ANY(CAST(:ownedTracks AS int[]))))`,
    { ownedTracks: owned.trackPackageIds },
  );
  qb.andWhere(
    `EXISTS (SELECT 1 FROM sim_car c WHERE (c.free_with_subscription OR c.car_id = ANY(CAST(:ownedCars AS int[])))
       AND CASE WHEN cardinality(rw.car_ids) > 0 THEN c.car_id = ANY(rw.car_ids)
                ELSE EXISTS (SELECT 1 FROM car_class_car m WHERE m.car_id = c.car_id AND m.car_class_id = ANY(rw.car_class_ids)) END)`,
    { ownedCars: owned.carIds },
  );
}

/** Race weeks (alias `rw`) that overlap [from, to) and match the series, track and car filters. */
export function calendarFilter(qb: SelectQueryBuilder<RaceWeek>, f?: CalendarFilter): void {
  if (f?.from) qb.andWhere('rw.end_time > :from', { from: f.from });
  if (f?.to) qb.andWhere('rw.start_time < :to', { to: f.to });
  weekFilter(qb, f);
}

/** Race weeks (alias `rw`) of the series, tracks and cars asked, in the weather asked. */
export function weekFilter(qb: SelectQueryBuilder<ObjectLiteral>, f?: CalendarFilter): void {
  if (f?.seriesIds?.length) qb.andWhere('rw.series_id = ANY(:seriesIds)', { seriesIds: f.seriesIds });
  if (f?.trackIds?.length) qb.andWhere('rw.track_id = ANY(:trackIds)', { trackIds: f.trackIds });
  if (f?.carIds?.length) qb.andWhere(WEEK_ALLOWS_CARS, { carIds: f.carIds });
  // The forecast when fetched, else iRacing's own summary of the schedule.
  if (f?.rainPossible !== undefined)
    qb.andWhere(
      `COALESCE(rw.forecast_rain_possible, (rw.weather_summary->>'precip_chance_pct')::float > 0) = :rain`,
      { rain: f.rainPossible },
    );
  if (f?.minAirTempC !== undefined)
    qb.andWhere(
      `COALESCE(rw.forecast_min_air_temp_c, (rw.weather_summary->>'temp_low_c')::float) >= :minTemp`,
      {
        minTemp: f.minAirTempC,
      },
    );
  if (f?.maxAirTempC !== undefined)
    qb.andWhere(
      `COALESCE(rw.forecast_max_air_temp_c, (rw.weather_summary->>'temp_high_c')::float) <= :maxTemp`,
      {
        maxTemp: f.maxAirTempC,
      },
    );
}
