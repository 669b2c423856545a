// The seasons graph: series, seasons, race weeks, events, classes, sessions, car restrictions and the race
// guide. Exports its importers (for the scheduler) and its read service (for weather, results and members).
import { Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogModule } from '../catalog/catalog.module.js';
import { DataLoaderService } from '../core/graphql/dataloader.registry.js';
import { CalendarController } from './calendar.controller.js';
import { RaceGuideImporter } from './race-guide.importer.js';
import { SEASONS_ENTITIES } from './seasons.entities.js';
import { SeasonsImporter } from './seasons.importer.js';
import { SeasonsLoaders } from './seasons.loaders.js';
import {
  CarRestrictionChangeResolver,
  CarRestrictionResolver,
  EventClassResolver,
  EventResolver,
  RaceWeekResolver,
  SeasonResolver,
  SeriesResolver,
  SessionResolver,
} from './seasons.resolver.js';
import { SeasonsService } from './seasons.service.js';

export const SEASONS_RESOLVERS = [
  SeriesResolver,
  SeasonResolver,
  RaceWeekResolver,
  CarRestrictionResolver,
  CarRestrictionChangeResolver,
  EventResolver,
  EventClassResolver,
  SessionResolver,
];

@Module({
  imports: [TypeOrmModule.forFeature(SEASONS_ENTITIES), CatalogModule],
  controllers: [CalendarController],
  providers: [SeasonsService, SeasonsImporter, RaceGuideImporter, ...SEASONS_RESOLVERS],
  exports: [SeasonsService, SeasonsImporter, RaceGuideImporter],
})
export class SeasonsModule implements OnModuleInit {
  constructor(
    private readonly loaders: DataLoaderService,
    private readonly seasons: SeasonsService,
  ) {}

  onModuleInit(): void {
    this.loaders.register(SeasonsLoaders, () => new SeasonsLoaders(this.seasons));
  }
}
