// Feeds /metrics with what every process shares: sync runs by kind and status, their durations and the rows they
// wrote (read from sync_run at scrape time, so a worker elsewhere counts too), and the sync queue's depth.
import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { MetricsService } from '../core/metrics/metrics.service.js';
import { SYNC_QUEUE } from './sync.queue.js';
import type { SyncJobData } from './sync.queue.js';

@Injectable()
export class SyncMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(SYNC_QUEUE) private readonly queue: Queue<SyncJobData>,
  ) {}

  onModuleInit(): void {
    this.metrics.addCollector(() => this.readRuns());
    this.metrics.addCollector(() => this.readQueue());
  }

  private async readRuns(): Promise<void> {
    const rows = (await this.db.query(
      `SELECT kind, status, count(*)::int AS runs,
              COALESCE(sum(extract(epoch FROM finished_at - started_at)) FILTER (WHERE finished_at IS NOT NULL AND started_at IS NOT NULL), 0)::float AS seconds,
              count(*) FILTER (WHERE finished_at IS NOT NULL AND started_at IS NOT NULL)::int AS timed,
              COALESCE(sum((counts->>'created')::int), 0)::int AS created,
              COALESCE(sum((counts->>'updated')::int), 0)::int AS updated,
              COALESCE(sum((counts->>'deleted')::int), 0)::int AS deleted
       FROM sync_run GROUP BY kind, status`,
    )) as {
      kind: string;
      status: string;
      runs: number;
      seconds: number;
      timed: number;
      created: number;
      updated: number;
      deleted: number;
    }[];
    this.metrics.syncRuns.reset();
    this.metrics.syncDurationSum.reset();
    this.metrics.syncDurationCount.reset();
    this.metrics.rowsWritten.reset();
    const written = new Map<string, { created: number; updated: number; deleted: number }>();
    for (const r of rows) {
      this.metrics.syncRuns.set({ kind: r.kind, status: r.status }, r.runs);
      this.metrics.syncDurationSum.set({ kind: r.kind, status: r.status }, r.seconds);
      this.metrics.syncDurationCount.set({ kind: r.kind, status: r.status }, r.timed);
      const w = written.get(r.kind) ?? { created: 0, updated: 0, deleted: 0 };
      w.created += r.created;
      w.updated += r.updated;
      w.deleted += r.deleted;
      written.set(r.kind, w);
    }
    for (const [kind, w] of written)
      for (const [op, n] of Object.entries(w)) this.metrics.rowsWritten.set({ kind, op }, n);
  }

  private async readQueue(): Promise<void> {
    const counts = await this.queue.getJobCounts();
    for (const [state, n] of Object.entries(counts)) this.metrics.queueJobs.set({ state }, n);
  }
}
