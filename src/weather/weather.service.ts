// Read side of the weather module: forecast hours of race weeks, in batches for the DataLoaders.
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { perParentWindow } from '../core/graphql/pagination.js';
import { ForecastHour } from './entities/forecast-hour.entity.js';

/**
 * A `timestamp without time zone` as `YYYY-MM-DDTHH:MM:SS`, formatted by PostgreSQL: the wall-clock value as
 * stored, whatever the zone of the server, of the session or of this process.
 */
const LOCAL_TIME_SQL = (column: string): string => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS')`;

@Injectable()
export class WeatherService {
  constructor(@InjectRepository(ForecastHour) private readonly forecasts: Repository<ForecastHour>) {}

  /** The first `first` forecast hours of each race week, in order, with their simulated local time. */
  async forecastsOfWeeks(raceWeekIds: readonly number[], first: number): Promise<ForecastHour[]> {
    const { entities, raw } = await this.forecasts
      .createQueryBuilder('f')
      .addSelect(LOCAL_TIME_SQL('"f"."timestamp"'), 'simulated_time')
      .where(perParentWindow('weather_forecast', 'race_week_id', 'time_offset'), {
        ids: [...raceWeekIds],
        first,
      })
      .orderBy('f.race_week_id', 'ASC')
      .addOrderBy('f.time_offset', 'ASC')
      .getRawAndEntities<{ f_id: number; simulated_time: string }>();
    const times = new Map(raw.map((r) => [r.f_id, r.simulated_time]));
    for (const e of entities) e.simulatedTime = times.get(e.id) as string;
    return entities;
  }
}
