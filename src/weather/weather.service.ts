// Read side of the weather module: forecast hours of race weeks, in batches for the DataLoaders.
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { WeatherForecast } from './entities/weather-forecast.entity.js';

@Injectable()
export class WeatherService {
  constructor(@InjectRepository(WeatherForecast) private readonly forecasts: Repository<WeatherForecast>) {}

  forecastsOfWeeks(raceWeekIds: readonly number[]): Promise<WeatherForecast[]> {
    return this.forecasts.find({
      where: { raceWeekId: In([...raceWeekIds]) },
      order: { raceWeekId: 'ASC', timeOffset: 'ASC' },
    });
  }
}
