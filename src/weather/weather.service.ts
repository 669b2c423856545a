// Read side of the weather module: forecast hours of race weeks, in batches for the DataLoaders.
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { perParentWindow } from '../core/graphql/pagination.js';
import { WeatherForecast } from './entities/weather-forecast.entity.js';

@Injectable()
export class WeatherService {
  constructor(@InjectRepository(WeatherForecast) private readonly forecasts: Repository<WeatherForecast>) {}

  /** The first `first` forecast hours of each race week, in order. */
  forecastsOfWeeks(raceWeekIds: readonly number[], first: number): Promise<WeatherForecast[]> {
    return this.forecasts
      .createQueryBuilder('f')
      .where(perParentWindow('weather_forecast', 'race_week_id', 'time_offset'), {
        ids: [...raceWeekIds],
        first,
      })
      .orderBy('f.race_week_id', 'ASC')
      .addOrderBy('f.time_offset', 'ASC')
      .getMany();
  }
}
