// The results syncs (docs/architecture.md §4): subsessions by id, a season's (or the search's) finished races,
// and a member's recent races. The last two hand what they find to SUBSESSIONS runs, queued in one transaction
// with the search checkpoint; a long id list is split into runs of RUN_SPLIT_SIZE subsessions.
import { Injectable, UseGuards } from '@nestjs/common';
import { Args, Context, Field, InputType, Int, Mutation, Resolver } from '@nestjs/graphql';
import { ArrayNotEmpty, IsArray, IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { AdminGuard } from '../core/auth/admin.guard.js';
import { Requesters } from '../core/auth/requester.js';
import type { RequestContext } from '../core/auth/requester.js';
import { BadInputError, ForbiddenError, UnauthenticatedError } from '../core/errors/domain-error.js';
import type { ImportReport } from '../core/import/import-report.js';
import { MembersImporter } from '../members/members.importer.js';
import { ImportParams } from '../scheduler/import-params.js';
import { defineSync } from '../scheduler/sync-definition.js';
import type { SyncHandler } from '../scheduler/sync-definition.js';
import { SyncRun, SyncTrigger } from '../scheduler/sync-run.entity.js';
import { SyncRunService } from '../scheduler/sync-run.service.js';
import { LookBackService } from './look-back.service.js';
import { ResultsImporter } from './results.importer.js';
import { StandingsImporter } from './standings.importer.js';
import { WorldRecordsImporter } from './world-records.importer.js';
import type { FoundSubsessions } from './results.importer.js';

const POSITIVE = (name: string) => `${name} must be a positive integer, got $value`;

export class SubsessionsSyncParams extends ImportParams {
  @IsArray()
  @ArrayNotEmpty()
  @IsInt({ each: true, message: POSITIVE('subsessionId') })
  @Min(1, { each: true, message: POSITIVE('subsessionId') })
  subsessionIds: number[];

  @IsOptional()
  @IsBoolean()
  includeLaps?: boolean;
}

export class ResultsSyncParams extends ImportParams {
  @IsOptional()
  @IsInt()
  @Min(1)
  seasonId?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(52)
  raceWeekNum?: number;
}

export class ParticipationSyncParams extends ImportParams {
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @IsInt({ each: true, message: POSITIVE('seasonId') })
  @Min(1, { each: true, message: POSITIVE('seasonId') })
  seasonIds?: number[];

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(52)
  raceWeekNum?: number;
}

export class StandingsSyncParams extends ImportParams {
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @IsInt({ each: true, message: POSITIVE('seasonId') })
  @Min(1, { each: true, message: POSITIVE('seasonId') })
  seasonIds?: number[];

  @IsOptional()
  @IsInt({ message: POSITIVE('carClassId') })
  @Min(1, { message: POSITIVE('carClassId') })
  carClassId?: number;
}

export class WorldRecordsSyncParams extends ImportParams {
  @IsInt({ message: POSITIVE('carId') })
  @Min(1, { message: POSITIVE('carId') })
  carId: number;

  @IsInt({ message: POSITIVE('trackId') })
  @Min(1, { message: POSITIVE('trackId') })
  trackId: number;
}

export class MemberSyncParams extends ImportParams {
  @IsInt({ message: POSITIVE('custId') })
  @Min(1, { message: POSITIVE('custId') })
  custId: number;
}

@InputType()
export class SyncSeriesResultsInput {
  @Field(() => Int, { description: 'The season whose races to match and import.' })
  @IsInt()
  @Min(1)
  seasonId: number;

  @Field(() => Int, { nullable: true, description: "One week only (iRacing's 0-based race_week_num)." })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(52)
  raceWeekNum?: number;
}

@InputType()
export class SyncParticipationInput {
  @Field(() => [Int], { nullable: true, description: 'These seasons (default: every active season).' })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @IsInt({ each: true })
  @Min(1, { each: true })
  seasonIds?: number[];

  @Field(() => Int, {
    nullable: true,
    description:
      "This week of each (iRacing's 0-based race_week_num; default: each season's latest ended week).",
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(52)
  raceWeekNum?: number;
}

@InputType()
export class SyncStandingsInput {
  @Field(() => [Int], {
    nullable: true,
    description: 'These seasons (default: the active seasons of favoured series and those followed before).',
  })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @IsInt({ each: true })
  @Min(1, { each: true })
  seasonIds?: number[];

  @Field(() => Int, {
    nullable: true,
    description: 'Only this car class (default: every class of each season).',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  carClassId?: number;
}

@Injectable()
export class StandingsSync implements SyncHandler<StandingsSyncParams> {
  constructor(private readonly standings: StandingsImporter) {}

  run(p: StandingsSyncParams): Promise<ImportReport> {
    return this.standings.sync(p.seasonIds, p.carClassId, { dryRun: p.dryRun, refresh: p.refresh });
  }
}

@Injectable()
export class WorldRecordsSync implements SyncHandler<WorldRecordsSyncParams> {
  constructor(private readonly records: WorldRecordsImporter) {}

  run(p: WorldRecordsSyncParams): Promise<ImportReport> {
    return this.records.sync(p.carId, p.trackId, { dryRun: p.dryRun, refresh: p.refresh });
  }
}

@Injectable()
export class ParticipationSync implements SyncHandler<ParticipationSyncParams> {
  constructor(private readonly results: ResultsImporter) {}

  run(p: ParticipationSyncParams): Promise<ImportReport> {
    return this.results.participation(p.seasonIds, p.raceWeekNum, { dryRun: p.dryRun, refresh: p.refresh });
  }
}

@Injectable()
export class SubsessionsSync implements SyncHandler<SubsessionsSyncParams> {
  constructor(private readonly results: ResultsImporter) {}

  run(p: SubsessionsSyncParams): Promise<ImportReport> {
    return this.results.importSubsessions(p.subsessionIds ?? [], p);
  }
}

/** Queues the subsessions found that are not stored, with the search checkpoint when there is one. */
async function queueFound(
  runs: SyncRunService,
  results: ResultsImporter,
  found: FoundSubsessions,
  dryRun?: boolean,
) {
  if (dryRun || (found.subsessionIds.length === 0 && !found.checkpoint)) return found.report;
  const checkpoint = found.checkpoint;
  const queued = await runs.queueIds(
    SUBSESSIONS_SYNC.kind,
    'subsessionIds',
    found.subsessionIds,
    checkpoint ? (em) => results.saveCheckpoint(em, checkpoint) : undefined,
  );
  found.report.queued.push(...queued);
  return found.report;
}

@Injectable()
export class ResultsSync implements SyncHandler<ResultsSyncParams> {
  constructor(
    private readonly results: ResultsImporter,
    private readonly runs: SyncRunService,
  ) {}

  async run(p: ResultsSyncParams): Promise<ImportReport> {
    const options = { dryRun: p.dryRun, refresh: p.refresh };
    const found =
      p.seasonId === undefined
        ? await this.results.searchNew(options)
        : await this.results.seasonResults(p.seasonId, p.raceWeekNum, options);
    return queueFound(this.runs, this.results, found, p.dryRun);
  }
}

@Injectable()
export class MemberSync implements SyncHandler<MemberSyncParams> {
  constructor(
    private readonly members: MembersImporter,
    private readonly results: ResultsImporter,
    private readonly runs: SyncRunService,
  ) {}

  async run(p: MemberSyncParams): Promise<ImportReport> {
    const found = await this.members.syncMember(p.custId, { refresh: p.refresh, dryRun: p.dryRun });
    const subsessionIds = await this.results.missing(found.subsessionIds);
    return queueFound(this.runs, this.results, { report: found.report, subsessionIds }, p.dryRun);
  }
}

export const SUBSESSIONS_SYNC = defineSync({
  kind: 'SUBSESSIONS',
  command: 'subsession',
  params: SubsessionsSyncParams,
  handler: SubsessionsSync,
  flags: { 'subsession-id': 'subsessionIds', laps: 'includeLaps' },
  splitOn: 'subsessionIds',
});

export const RESULTS_SYNC = defineSync({
  kind: 'RESULTS',
  command: 'results',
  params: ResultsSyncParams,
  handler: ResultsSync,
  check: (p) => {
    if (p.raceWeekNum !== undefined && p.seasonId === undefined)
      throw new BadInputError('raceWeekNum needs seasonId (--race-week-num needs --season-id)');
  },
  crons: [{ name: 'results', setting: 'CRON_RESULTS', params: {} }],
});

export const PARTICIPATION_SYNC = defineSync({
  kind: 'PARTICIPATION',
  command: 'participation',
  params: ParticipationSyncParams,
  handler: ParticipationSync,
  flags: { 'season-id': 'seasonIds' },
  crons: [{ name: 'participation', setting: 'CRON_PARTICIPATION', params: {} }],
});

export const STANDINGS_SYNC = defineSync({
  kind: 'STANDINGS',
  command: 'standings',
  params: StandingsSyncParams,
  handler: StandingsSync,
  flags: { 'season-id': 'seasonIds' },
  crons: [{ name: 'standings', setting: 'CRON_STANDINGS', params: {} }],
});

export const WORLD_RECORDS_SYNC = defineSync({
  kind: 'WORLD_RECORDS',
  command: 'world-records',
  params: WorldRecordsSyncParams,
  handler: WorldRecordsSync,
});

export const MEMBER_SYNC = defineSync({
  kind: 'MEMBER',
  command: 'member',
  params: MemberSyncParams,
  handler: MemberSync,
});

@Resolver()
export class ResultsSyncResolver {
  constructor(
    private readonly runs: SyncRunService,
    private readonly requesters: Requesters,
    private readonly lookBack: LookBackService,
  ) {}

  @Mutation(() => SyncRun, {
    description:
      'Queues the import of one subsession (results/get), with its laps when asked; returns its run at once.',
  })
  @UseGuards(AdminGuard)
  syncSubsession(
    @Args('subsessionId', { type: () => Int }) subsessionId: number,
    @Args('includeLaps', { nullable: true, type: () => Boolean }) includeLaps?: boolean,
  ): Promise<SyncRun> {
    return this.runs.enqueue(
      SUBSESSIONS_SYNC.kind,
      { subsessionIds: [subsessionId], includeLaps },
      SyncTrigger.GRAPHQL,
    );
  }

  @Mutation(() => SyncRun, {
    description:
      "Queues a season's (or one week's) race results: matched to its sessions, the subsessions not stored queued.",
  })
  @UseGuards(AdminGuard)
  syncSeriesResults(@Args('input') input: SyncSeriesResultsInput): Promise<SyncRun> {
    return this.runs.enqueue(RESULTS_SYNC.kind, { ...input }, SyncTrigger.GRAPHQL);
  }

  @Mutation(() => SyncRun, {
    description:
      'Queues the participation of one week of seasons (results/season_results, splits only: nothing else queued).',
  })
  @UseGuards(AdminGuard)
  syncParticipation(@Args('input', { nullable: true }) input?: SyncParticipationInput): Promise<SyncRun> {
    return this.runs.enqueue(PARTICIPATION_SYNC.kind, { ...(input ?? {}) }, SyncTrigger.GRAPHQL);
  }

  @Mutation(() => SyncRun, {
    description:
      "Queues seasons' driver standings (stats/season_driver_standings, every division of each car class).",
  })
  @UseGuards(AdminGuard)
  syncStandings(@Args('input', { nullable: true }) input?: SyncStandingsInput): Promise<SyncRun> {
    return this.runs.enqueue(STANDINGS_SYNC.kind, { ...(input ?? {}) }, SyncTrigger.GRAPHQL);
  }

  @Mutation(() => SyncRun, {
    description:
      "Queues a car's world records at a track layout (stats/world_records), for a linked racer (viewer token) " +
      'or an admin; kept for the season quarter, so asking again in the same quarter fetches nothing (an admin ' +
      'may ask with refresh).',
  })
  async syncWorldRecords(
    @Args('carId', { type: () => Int }) carId: number,
    @Args('trackId', { type: () => Int, description: 'The layout (iRacing track_id).' }) trackId: number,
    @Context() ctx: RequestContext,
    @Args('refresh', { type: () => Boolean, nullable: true }) refresh?: boolean,
  ): Promise<SyncRun> {
    const requester = await this.requesters.of(ctx);
    if (!requester.admin && requester.custId === null)
      throw new UnauthenticatedError(
        'syncWorldRecords needs a viewer token (from completeIracingLink) or an admin key',
      );
    if (refresh && !requester.admin) throw new ForbiddenError('only an admin may refresh world records');
    await this.lookBack.assertCarAndLayout(carId, trackId);
    return this.runs.enqueue(
      WORLD_RECORDS_SYNC.kind,
      { carId, trackId, ...(refresh ? { refresh } : {}) },
      SyncTrigger.GRAPHQL,
    );
  }

  @Mutation(() => SyncRun, {
    description:
      "Queues a member's profile, summary and recent races (the subsessions not stored are queued).",
  })
  @UseGuards(AdminGuard)
  syncMemberRecentRaces(@Args('custId', { type: () => Int }) custId: number): Promise<SyncRun> {
    return this.runs.enqueue(MEMBER_SYNC.kind, { custId }, SyncTrigger.GRAPHQL);
  }
}
