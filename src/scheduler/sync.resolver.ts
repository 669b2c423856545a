// GraphQL for sync runs: the runs, their updates and the cron schedules. The mutations that queue each kind
// belong to its feature (`<feature>.sync.ts`).
import {
  Args,
  Field,
  Int,
  ObjectType,
  Parent,
  Query,
  ResolveField,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import { Connection, paginateLazily } from '../core/graphql/pagination.js';
import { SyncRunsArgs } from './dto/sync-runs.args.js';
import { SyncCounts, SyncKind, SyncRun } from './sync-run.entity.js';
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

  @Query(() => [Schedule], {
    description: 'Every cron schedule (UTC), its next tick and its last run.',
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
    return paginateLazily<SyncRun>(qb, args, {
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
