// Weather: forecast files of race weeks in real units and their summary, and the FORECASTS sync; depends on
// the seasons module's race weeks.
import { Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataLoaderService } from '../core/graphql/dataloader.registry.js';
import { SeasonsModule } from '../seasons/seasons.module.js';
import { ForecastHour } from './entities/forecast-hour.entity.js';
import { WeatherImporter } from './weather.importer.js';
import { WeatherLoaders } from './weather.loaders.js';
import { ForecastHourResolver, RaceWeekWeatherResolver } from './weather.resolver.js';
import { WeatherService } from './weather.service.js';
import { ForecastsSync, WeatherSyncResolver } from './weather.sync.js';

const WEATHER_ENTITIES = [ForecastHour];
export const WEATHER_RESOLVERS = [RaceWeekWeatherResolver, ForecastHourResolver];

@Module({
  imports: [TypeOrmModule.forFeature(WEATHER_ENTITIES), SeasonsModule],
  providers: [ForecastsSync, WeatherSyncResolver, WeatherService, WeatherImporter, ...WEATHER_RESOLVERS],
  exports: [WeatherImporter],
})
export class WeatherModule implements OnModuleInit {
  constructor(
    private readonly loaders: DataLoaderService,
    private readonly weather: WeatherService,
  ) {}

  onModuleInit(): void {
    this.loaders.register(WeatherLoaders, () => new WeatherLoaders(this.weather));
  }
}
