// Results: subsessions with every simsession's team and driver results, laps, season results and the results
// search, and the SUBSESSIONS, RESULTS and MEMBER syncs. Exports its read service.
import { Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogModule } from '../catalog/catalog.module.js';
import { DataLoaderService } from '../core/graphql/dataloader.registry.js';
import { MembersModule } from '../members/members.module.js';
import { SeasonsModule } from '../seasons/seasons.module.js';
import { RESULTS_ENTITIES } from './results.entities.js';
import { ResultsImporter } from './results.importer.js';
import { ResultsLoaders } from './results.loaders.js';
import {
  DriverResultResolver,
  LapResolver,
  MemberResultsResolver,
  SeasonParticipationResolver,
  SeasonParticipationTrendResolver,
  SeriesParticipationResolver,
  SubsessionClassResolver,
  SubsessionResolver,
  TeamResultResolver,
  WeekParticipationResolver,
} from './results.resolver.js';
import { ResultsService } from './results.service.js';
import { LapsImporter } from './laps.importer.js';
import { SubsessionImporter } from './subsession.importer.js';
import {
  DriverStandingResolver,
  LayoutWorldRecordsResolver,
  SeasonStandingsResolver,
} from './look-back.resolver.js';
import { LookBackService } from './look-back.service.js';
import { StandingsImporter } from './standings.importer.js';
import { WorldRecordsImporter } from './world-records.importer.js';
import {
  MemberSync,
  ParticipationSync,
  StandingsSync,
  WorldRecordsSync,
  ResultsSync,
  ResultsSyncResolver,
  SubsessionsSync,
} from './results.sync.js';

export const RESULTS_RESOLVERS = [
  SubsessionResolver,
  SubsessionClassResolver,
  SeasonParticipationResolver,
  WeekParticipationResolver,
  SeriesParticipationResolver,
  SeasonParticipationTrendResolver,
  DriverResultResolver,
  TeamResultResolver,
  LapResolver,
  MemberResultsResolver,
  SeasonStandingsResolver,
  DriverStandingResolver,
  LayoutWorldRecordsResolver,
];

@Module({
  imports: [TypeOrmModule.forFeature(RESULTS_ENTITIES), CatalogModule, SeasonsModule, MembersModule],
  providers: [
    SubsessionsSync,
    ResultsSync,
    ParticipationSync,
    StandingsSync,
    WorldRecordsSync,
    MemberSync,
    ResultsSyncResolver,
    ResultsService,
    ResultsImporter,
    SubsessionImporter,
    LapsImporter,
    StandingsImporter,
    WorldRecordsImporter,
    LookBackService,
    ...RESULTS_RESOLVERS,
  ],
  exports: [ResultsService, ResultsImporter],
})
export class ResultsModule implements OnModuleInit {
  constructor(
    private readonly loaders: DataLoaderService,
    private readonly results: ResultsService,
  ) {}

  onModuleInit(): void {
    this.loaders.register(ResultsLoaders, () => new ResultsLoaders(this.results));
  }
}
