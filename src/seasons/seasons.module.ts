// The seasons graph: series, seasons, race weeks, events, classes, sessions, car restrictions, the race guide,
// and the SEASONS and RACE_GUIDE syncs. Exports its read service and the writers other features ask to ensure
// sessions and links (docs/architecture.md §3.2).
import './seasons.sql.js';
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
import { SeasonsWriter } from './seasons.writer.js';
import { SessionsService } from './sessions.service.js';
import { RaceGuideSync, SeasonsSync, SeasonsSyncResolver } from './seasons.sync.js';

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
  providers: [
    SeasonsSync,
    RaceGuideSync,
    SeasonsSyncResolver,
    SeasonsService,
    SeasonsImporter,
    RaceGuideImporter,
    SeasonsWriter,
    SessionsService,
    ...SEASONS_RESOLVERS,
  ],
  exports: [SeasonsService, SeasonsImporter, RaceGuideImporter, SeasonsWriter, SessionsService],
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
