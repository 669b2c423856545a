// The catalog sync (docs/architecture.md §4): its parameters, handler, cron and mutation.
import { Injectable, UseGuards } from '@nestjs/common';
import { Args, InputType, Mutation, Resolver } from '@nestjs/graphql';
import { AdminGuard } from '../core/auth/admin.guard.js';
import type { ImportReport } from '../core/import/import-report.js';
import { ImportParams } from '../scheduler/import-params.js';
import { defineSync } from '../scheduler/sync-definition.js';
import type { SyncHandler } from '../scheduler/sync-definition.js';
import { SyncRun, SyncTrigger } from '../scheduler/sync-run.entity.js';
import { SyncRunService } from '../scheduler/sync-run.service.js';
import { CatalogImporter } from './catalog.importer.js';

@InputType()
export class SyncCatalogInput extends ImportParams {}

@Injectable()
export class CatalogSync implements SyncHandler<SyncCatalogInput> {
  constructor(private readonly importer: CatalogImporter) {}

  run(params: SyncCatalogInput): Promise<ImportReport> {
    return this.importer.sync(params);
  }
}

export const CATALOG_SYNC = defineSync({
  kind: 'CATALOG',
  command: 'catalog',
  params: SyncCatalogInput,
  handler: CatalogSync,
  crons: [{ name: 'catalog', setting: 'CRON_CATALOG', params: {} }],
});

@Resolver()
export class CatalogSyncResolver {
  constructor(private readonly runs: SyncRunService) {}

  @Mutation(() => SyncRun, {
    description: 'Queues a catalog sync (cars, car classes, tracks); returns its run at once.',
  })
  @UseGuards(AdminGuard)
  syncCatalog(@Args('input', { nullable: true }) input?: SyncCatalogInput): Promise<SyncRun> {
    return this.runs.enqueue(CATALOG_SYNC.kind, { ...input }, SyncTrigger.GRAPHQL);
  }
}
