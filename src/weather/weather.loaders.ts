// The weather module's per-request DataLoaders.
import DataLoader from 'dataloader';
import { groupBy } from '../core/graphql/dataloader.registry.js';
import type { WeatherForecast } from './entities/weather-forecast.entity.js';
import type { WeatherService } from './weather.service.js';

export class WeatherLoaders {
  constructor(private readonly weather: WeatherService) {}

  readonly forecastOfWeek = new DataLoader<number, WeatherForecast[]>(async (ids) =>
    groupBy(ids, await this.weather.forecastsOfWeeks(ids), (f) => f.raceWeekId),
  );
}
