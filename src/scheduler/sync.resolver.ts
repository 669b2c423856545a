// GraphQL for syncs: the mutations that queue them (admin key required) and the SyncRun queries.
import { UseGuards } from '@nestjs/common';
import {
  Args,
  Field,
  Int,
  Mutation,
  ObjectType,
  Parent,
  Query,
  ResolveField,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import { AdminGuard } from '../core/auth/admin.guard.js';
import { Connection, paginate } from '../core/graphql/pagination.js';
import { BadInputError } from '../core/errors/domain-error.js';
import {
  RefreshForecastsInput,
  SyncCatalogInput,
  SyncRaceGuideInput,
  SyncRunsArgs,
  SyncSeasonsInput,
  SyncSeriesResultsInput,
} from './dto/sync.inputs.js';
import { SyncCounts, SyncKind, SyncRun, SyncTrigger } from './sync-run.entity.js';
import { SyncCronService } from './sync-cron.service.js';
import { SyncEvents } from './sync-events.js';
import type { RunUpdate } from './sync-events.js';
import { SyncRunService } from './sync-run.service.js';
import { CronTime } from 'cron';

/** The next tick of a cron expression after `at`, in UTC. */
function nextTick(cron: string, at: Date): Date {
  return new CronTime(cron, 'UTC').getNextDateFrom(at).toJSDate();
}

@ObjectType({ description: 'A cron schedule (UTC) and what it last did.' })
export class Schedule {
  @Field()
  name: string;

  @Field()
  cron: string;

  @Field(() => SyncKind)
  kind: SyncKind;

  @Field(() => String, { description: 'The parameters it queues, as JSON.' })
  parameters: string;

  @Field({ description: 'Whether this process ticks it (SCHEDULER_ENABLED and the api role).' })
  enabled: boolean;

  @Field(() => Date)
  nextRunAt: Date;

  @Field(() => SyncRun, { nullable: true })
  lastRun: SyncRun | null;
}

@ObjectType()
export class SyncRunConnection extends Connection(SyncRun, 'SyncRun') {}

@ObjectType({ description: 'The counts of one table in a sync run.' })
export class EntityCounts extends SyncCounts {
  @Field()
  entity: string;
}

@Resolver(() => SyncRun)
export class SyncResolver {
  constructor(
    private readonly runs: SyncRunService,
    private readonly cron: SyncCronService,
    private readonly events: SyncEvents,
  ) {}

  @Mutation(() => SyncRun, {
    description: 'Queues a catalog sync (cars, car classes, tracks); returns its run at once.',
  })
  @UseGuards(AdminGuard)
  syncCatalog(@Args('input', { nullable: true }) input?: SyncCatalogInput): Promise<SyncRun> {
    return this.runs.enqueue(
      SyncKind.CATALOG,
      { refresh: input?.refresh, dryRun: input?.dryRun },
      SyncTrigger.GRAPHQL,
    );
  }

  @Mutation(() => SyncRun, {
    description:
      'Queues a seasons sync (series, current and future seasons, or one quarter, optionally past seasons); returns its run at once.',
  })
  @UseGuards(AdminGuard)
  syncSeasons(@Args('input', { nullable: true }) input?: SyncSeasonsInput): Promise<SyncRun> {
    if ((input?.seasonYear === undefined) !== (input?.seasonQuarter === undefined))
      throw new BadInputError('seasonYear and seasonQuarter go together: give both or neither');
    return this.runs.enqueue(
      SyncKind.SEASONS,
      {
        includePast: input?.includePast,
        seasonYear: input?.seasonYear,
        seasonQuarter: input?.seasonQuarter,
        seriesIds: input?.seriesIds?.length ? [...new Set(input.seriesIds)].sort((a, b) => a - b) : undefined,
        limit: input?.limit,
        refresh: input?.refresh,
        dryRun: input?.dryRun,
      },
      SyncTrigger.GRAPHQL,
    );
  }

  @Mutation(() => SyncRun, {
    description:
      'Queues a race guide sync (sessions of the coming hours with entry counts); returns its run at once.',
  })
  @UseGuards(AdminGuard)
  syncRaceGuide(@Args('input', { nullable: true }) input?: SyncRaceGuideInput): Promise<SyncRun> {
    return this.runs.enqueue(
      SyncKind.RACE_GUIDE,
      { refresh: input?.refresh, dryRun: input?.dryRun },
      SyncTrigger.GRAPHQL,
    );
  }

  @Mutation(() => SyncRun, {
    description:
      'Queues a forecast refresh: the weeks named (or those of the seasons named, or every week not yet over) whose forecast is missing or stale, or all of them with force; returns its run at once.',
  })
  @UseGuards(AdminGuard)
  refreshForecasts(@Args('input', { nullable: true }) input?: RefreshForecastsInput): Promise<SyncRun> {
    const sorted = (ids?: number[]) => (ids?.length ? [...new Set(ids)].sort((a, b) => a - b) : undefined);
    return this.runs.enqueue(
      SyncKind.FORECASTS,
      {
        raceWeekIds: sorted(input?.raceWeekIds),
        seasonIds: sorted(input?.seasonIds),
        force: input?.force,
        dryRun: input?.dryRun,
      },
      SyncTrigger.GRAPHQL,
    );
  }

  @Mutation(() => SyncRun, {
    description:
      'Queues the import of one subsession (results/get), with its laps when asked; returns its run at once.',
  })
  @UseGuards(AdminGuard)
  syncSubsession(
    @Args('subsessionId', { type: () => Int }) subsessionId: number,
    @Args('includeLaps', { nullable: true, type: () => Boolean }) includeLaps?: boolean,
  ): Promise<SyncRun> {
    if (!Number.isInteger(subsessionId) || subsessionId < 1)
      throw new BadInputError(`subsessionId must be a positive integer, got ${subsessionId}`);
    return this.runs.enqueue(
      SyncKind.SUBSESSIONS,
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
    return this.runs.enqueue(
      SyncKind.RESULTS,
      { seasonId: input.seasonId, raceWeekNum: input.raceWeekNum },
      SyncTrigger.GRAPHQL,
    );
  }

  @Mutation(() => SyncRun, {
    description:
      "Queues a member's profile, summary and recent races (the subsessions not stored are queued).",
  })
  @UseGuards(AdminGuard)
  syncMemberRecentRaces(@Args('custId', { type: () => Int }) custId: number): Promise<SyncRun> {
    if (!Number.isInteger(custId) || custId < 1)
      throw new BadInputError(`custId must be a positive integer, got ${custId}`);
    return this.runs.enqueue(SyncKind.MEMBER, { custId }, SyncTrigger.GRAPHQL);
  }

  @Mutation(() => SyncRun, {
    description:
      "Queues the account's profile and the cars and tracks it owns (member/info); returns its run at once.",
  })
  @UseGuards(AdminGuard)
  syncOwnedContent(): Promise<SyncRun> {
    return this.runs.enqueue(SyncKind.OWNED_CONTENT, {}, SyncTrigger.GRAPHQL);
  }

  @Query(() => [Schedule], {
    description: 'Every cron schedule (DESIGN §9), its next tick and its last run.',
  })
  async schedules(): Promise<Schedule[]> {
    const now = new Date();
    return Promise.all(
      this.cron.schedules().map(async (s) => ({
        name: s.name,
        cron: s.cron,
        kind: s.kind,
        parameters: JSON.stringify(s.params),
        enabled: this.cron.enabled,
        nextRunAt: nextTick(s.cron, now),
        lastRun: await this.runs
          .runsRepository()
          .createQueryBuilder('run')
          .where('run.trigger_key LIKE :key', { key: `cron:${s.name}:%` })
          .orderBy('run.id', 'DESC')
          .getOne(),
      })),
    );
  }

  @Subscription(() => SyncRun, {
    description:
      'Every change of a sync run (queued, started, progress, retried, finished), from any process.',
    // A run that could not be read arrives as this field's error; the subscription goes on.
    resolve: (update: RunUpdate) => update,
  })
  syncRunUpdated(
    @Args('id', { type: () => Int, nullable: true, description: 'Only this run.' }) id?: number,
  ): AsyncIterableIterator<RunUpdate> {
    // Read once per update for all the subscribers of this process, not once per subscriber.
    return this.events.runUpdates(id ?? undefined);
  }

  @Query(() => SyncRun, { description: 'One sync run.' })
  syncRun(@Args('id', { type: () => Int }) id: number): Promise<SyncRun> {
    return this.runs.get(id);
  }

  @Query(() => SyncRunConnection, { description: 'Sync runs, newest first.' })
  syncRuns(@Args() args: SyncRunsArgs) {
    const qb = this.runs.runsRepository().createQueryBuilder('run');
    const f = args.filter;
    if (f?.kind) qb.andWhere('run.kind = :kind', { kind: f.kind });
    if (f?.status) qb.andWhere('run.status = :status', { status: f.status });
    if (f?.trigger) qb.andWhere('run.trigger = :trigger', { trigger: f.trigger });
    return paginate(qb, args, {
      sortExpr: 'run.id',
      idExpr: 'run.id',
      values: (r) => [r.id, r.id],
      direction: 'DESC',
    });
  }

  @ResolveField(() => [EntityCounts], { description: 'Counts per table.' })
  countsByEntity(@Parent() run: SyncRun): EntityCounts[] {
    return Object.entries(run.countsByEntity ?? {}).map(([entity, c]) => ({
      entity,
      ...c,
      failed: c.failed ?? 0,
    }));
  }

  @ResolveField(() => String, { description: 'The parameters of the sync, as JSON.' })
  parameters(@Parent() run: SyncRun): string {
    return JSON.stringify(run.params ?? {});
  }

  @ResolveField(() => Int, { nullable: true, description: 'Milliseconds from start to finish.' })
  durationMs(@Parent() run: SyncRun): number | null {
    return run.startedAt && run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null;
  }
}
