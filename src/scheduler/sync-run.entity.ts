// The record of every sync: what was asked, by whom, how it went, and what each failed unit said.
// `dedupe_key` is unique among active runs (QUEUED/RUNNING), so a repeated trigger joins the run in progress;
// `trigger_key` is unique for ever (a cron tick), so any number of scheduler replicas enqueue a tick once.
// `dedupe_key` is the sha256 of the kind and the canonical parameters (fixed size, whatever the id lists).
// A running run carries the token of the worker execution that owns it (`runner`) and its `heartbeat_at`, so
// only that execution records its outcome and the reaper can tell a live worker from a dead one.
import { Field, Float, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { SyncKind } from './sync-definition.js';

export { SyncKind } from './sync-definition.js';

export enum SyncStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  PARTIAL = 'PARTIAL',
  FAILED = 'FAILED',
}

export enum SyncTrigger {
  CRON = 'CRON',
  GRAPHQL = 'GRAPHQL',
  CLI = 'CLI',
  /** Queued by another sync when it finished (forecasts after a seasons sync). */
  SYNC = 'SYNC',
}

registerEnumType(SyncStatus, { name: 'SyncStatus' });
registerEnumType(SyncTrigger, { name: 'SyncTrigger' });

@ObjectType()
export class SyncCounts {
  @Field(() => Int)
  created: number;

  @Field(() => Int)
  updated: number;

  @Field(() => Int)
  unchanged: number;

  @Field(() => Int)
  deleted: number;

  @Field(() => Int, { description: 'Units of work that failed.' })
  failed: number;
}

@ObjectType()
export class SyncUnitError {
  @Field({ description: 'The unit that failed, for example `catalog` or `season 5935`.' })
  unit: string;

  @Field()
  message: string;

  @Field(() => String, { nullable: true, description: 'The iRacing endpoint involved, when there was one.' })
  endpoint?: string;

  @Field(() => Int, { nullable: true, description: 'The job attempt it happened in.' })
  attempt?: number;

  @Field()
  at: string;
}

/** Shaped as a unit's error, but told without failing it. */
@ObjectType({ description: 'Something a run tells that is not a failure (the run still SUCCEEDED).' })
export class SyncWarning extends SyncUnitError {}

@ObjectType({ description: 'How far a run is: units (seasons, subsessions, weeks) done of those planned.' })
export class SyncProgress {
  @Field(() => Int)
  done: number;

  @Field(() => Int)
  total: number;

  @Field(() => Float, { description: '0 to 100.' })
  percent: number;
}

@ObjectType({ description: 'A run one sync queued for another.' })
export class QueuedRun {
  @Field(() => SyncKind)
  kind: SyncKind;

  @Field(() => Int)
  runId: number;

  @Field(() => Int, { description: 'Items handed over (subsessions).' })
  items: number;
}

@ObjectType({ description: 'The record of one sync: what was asked, how it went, and what failed.' })
@Entity('sync_run')
@Index('sync_run_active_dedupe', ['dedupeKey'], { unique: true, where: `status IN ('QUEUED', 'RUNNING')` })
@Index('sync_run_kind_created', ['kind', 'createdAt'])
export class SyncRun {
  @Field(() => Int)
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => SyncKind)
  @Column({ type: 'text' })
  kind: SyncKind;

  @Column({ type: 'jsonb', default: {} })
  params: Record<string, unknown>;

  @Field(() => SyncTrigger)
  @Column({ type: 'text' })
  trigger: SyncTrigger;

  @Field(() => SyncStatus)
  @Column({ type: 'text', default: SyncStatus.QUEUED })
  status: SyncStatus;

  @Column({ name: 'dedupe_key', type: 'text' })
  dedupeKey: string;

  @Index({ unique: true })
  @Column({ name: 'trigger_key', type: 'text', nullable: true })
  triggerKey: string | null;

  @Column({ name: 'job_id', type: 'text', nullable: true })
  jobId: string | null;

  /** The worker execution that owns the run while it is RUNNING (a takeover replaces it). */
  @Column({ type: 'text', nullable: true })
  runner: string | null;

  /** Last sign of life of the worker running it (written at least every SYNC_JOB_LOCK_MS / 2). */
  @Column({ name: 'heartbeat_at', type: 'timestamptz', nullable: true })
  heartbeatAt: Date | null;

  /** Rows each execution wrote, by runner token: an execution that died still counts in the run's counts. */
  @Column({ name: 'attempt_counts', type: 'jsonb', default: {} })
  attemptCounts: Record<string, Record<string, Omit<SyncCounts, 'failed'>>>;

  @Field()
  @Column({ name: 'dry_run', type: 'boolean', default: false })
  dryRun: boolean;

  @Field(() => Int, { description: 'Job attempts started so far.' })
  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Field(() => SyncCounts)
  @Column({ type: 'jsonb', default: { created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0 } })
  counts: SyncCounts;

  /** Counts per entity (for example `{ "sim_car": { created, … } }`). */
  @Column({ name: 'counts_by_entity', type: 'jsonb', default: {} })
  countsByEntity: Record<string, SyncCounts>;

  @Field(() => [SyncUnitError])
  @Column({ type: 'jsonb', default: [] })
  errors: SyncUnitError[];

  @Field(() => [SyncWarning], { description: 'What the run tells that is not a failure.' })
  @Column({ type: 'jsonb', default: [] })
  warnings: SyncWarning[];

  @Field(() => SyncProgress, { nullable: true, description: 'Units done of those planned, while it runs.' })
  @Column({ type: 'jsonb', nullable: true })
  progress: SyncProgress | null;

  @Field(() => [QueuedRun], { description: 'Runs this sync queued (the subsessions a search found).' })
  @Column({ name: 'queued_runs', type: 'jsonb', default: [] })
  queuedRuns: QueuedRun[];

  @Field(() => Int, { description: 'Authenticated iRacing API calls made.' })
  @Column({ name: 'api_calls', type: 'int', default: 0 })
  apiCalls: number;

  @Field(() => Float, { description: 'Time spent waiting on the iRacing rate limit, in milliseconds.' })
  @Column({ name: 'rate_limit_wait_ms', type: 'int', default: 0 })
  rateLimitWaitMs: number;

  @Field({ description: 'When it was queued.' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true })
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
