// The owned-content sync (docs/architecture.md §4): the account's profile and the cars and tracks it owns.
import { Injectable, UseGuards } from '@nestjs/common';
import { Mutation, Resolver } from '@nestjs/graphql';
import { AdminGuard } from '../core/auth/admin.guard.js';
import type { ImportReport } from '../core/import/import-report.js';
import { ImportParams } from '../scheduler/import-params.js';
import { defineSync } from '../scheduler/sync-definition.js';
import type { SyncHandler } from '../scheduler/sync-definition.js';
import { SyncRun, SyncTrigger } from '../scheduler/sync-run.entity.js';
import { SyncRunService } from '../scheduler/sync-run.service.js';
import { MembersImporter } from './members.importer.js';

export class OwnedContentSyncParams extends ImportParams {}

@Injectable()
export class OwnedContentSync implements SyncHandler<OwnedContentSyncParams> {
  constructor(private readonly members: MembersImporter) {}

  run(params: OwnedContentSyncParams): Promise<ImportReport> {
    return this.members.syncOwnedContent(params);
  }
}

export const OWNED_CONTENT_SYNC = defineSync({
  kind: 'OWNED_CONTENT',
  command: 'owned-content',
  params: OwnedContentSyncParams,
  handler: OwnedContentSync,
});

@Resolver()
export class MembersSyncResolver {
  constructor(private readonly runs: SyncRunService) {}

  @Mutation(() => SyncRun, {
    description:
      "Queues the account's profile and the cars and tracks it owns (member/info); returns its run at once.",
  })
  @UseGuards(AdminGuard)
  syncOwnedContent(): Promise<SyncRun> {
    return this.runs.enqueue(OWNED_CONTENT_SYNC.kind, {}, SyncTrigger.GRAPHQL);
  }
}
