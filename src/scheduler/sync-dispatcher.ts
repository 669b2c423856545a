// Runs a run through the definition of its kind (docs/architecture.md §4): its stored parameters as the params
// class, the feature's handler, the split of a long id list into runs of at most RUN_SPLIT_SIZE ids, and the
// sync that follows it.
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ImportReport } from '../core/import/import-report.js';
import { loadParams, syncDefinition } from './sync-definition.js';
import type { SyncContext, SyncDefinition, SyncHandler, SyncParams } from './sync-definition.js';
import { chunks, RUN_SPLIT_SIZE } from './sync.queue.js';
import { SyncStatus, SyncTrigger } from './sync-run.entity.js';
import { SyncRunService } from './sync-run.service.js';
import type { RunSpec } from './sync-run.service.js';

@Injectable()
export class SyncDispatcher {
  constructor(
    private readonly modules: ModuleRef,
    private readonly runs: SyncRunService,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** Runs the handler of the run's kind on its parameters. */
  run(kind: string, params: SyncParams, ctx: SyncContext): Promise<ImportReport> {
    const definition = syncDefinition(kind);
    const handler = this.modules.get<SyncHandler<object>>(definition.handler, { strict: false });
    const work = (p: SyncParams) => handler.run(loadParams(definition, p), ctx);
    return this.split(definition, params, ctx, work);
  }

  /** The sync queued when a run of `kind` finishes with something written. */
  followUp(kind: string, params: SyncParams): { kind: string; params: SyncParams } | null {
    const definition = syncDefinition(kind);
    return definition.followUp?.(loadParams(definition, params)) ?? null;
  }

  /**
   * Runs `work` on the first RUN_SPLIT_SIZE ids of the kind's split list and queues the others as runs of their
   * own (their trigger key names this run and the slice, so a retried or taken-over run queues them once).
   */
  private async split(
    definition: SyncDefinition,
    params: SyncParams,
    ctx: SyncContext,
    work: (params: SyncParams) => Promise<ImportReport>,
  ): Promise<ImportReport> {
    const key = definition.splitOn;
    const ids = key && Array.isArray(params[key]) ? (params[key] as number[]) : [];
    if (!key || ids.length <= RUN_SPLIT_SIZE) return work(params);
    const [first, ...rest] = chunks(ids);
    const specs: RunSpec[] = rest.map((slice, i) => ({
      kind: definition.kind,
      params: { ...params, [key]: slice },
      trigger: SyncTrigger.SYNC,
      triggerKey: `split:${ctx.runId}:${i + 1}`,
    }));
    const refs = await this.db.transaction((em) => this.runs.insertRuns(em, specs));
    await this.runs.addJobs(refs.filter((r) => r.inserted || r.status === SyncStatus.QUEUED));
    const report = await work({ ...params, [key]: first });
    refs.forEach((ref, i) =>
      report.queued.push({ kind: definition.kind, runId: ref.id, items: rest[i].length }),
    );
    return report;
  }
}
