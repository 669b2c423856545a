// The weather module's per-request DataLoaders.
import DataLoader from 'dataloader';
import { groupBy } from '../core/graphql/dataloader.registry.js';
import type { ForecastHour } from './entities/forecast-hour.entity.js';
import type { WeatherService } from './weather.service.js';

export class WeatherLoaders {
  constructor(private readonly weather: WeatherService) {}

  private readonly forecastLoaders = new Map<number, DataLoader<number, ForecastHour[]>>();

  /** The first `first` hours of each week's forecast (one loader per `first` asked in the request). */
  forecastOfWeek(first: number): DataLoader<number, ForecastHour[]> {
    let loader = this.forecastLoaders.get(first);
    if (!loader) {
      loader = new DataLoader<number, ForecastHour[]>(async (ids) =>
        groupBy(ids, await this.weather.forecastsOfWeeks(ids, first), (f) => f.raceWeekId),
      );
      this.forecastLoaders.set(first, loader);
    }
    return loader;
  }
}
