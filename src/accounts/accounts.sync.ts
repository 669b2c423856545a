// The syncs of linked members (docs/architecture.md §4.15): one member's own account with their own token
// (MEMBER_ACCOUNT, on the member queue), and the daily pass that queues one for every ACTIVE link
// (LINKED_MEMBERS), which also keeps each link alive: a member sync refreshes a refresh token that lapses within
// KEEP_ALIVE_MS. The mutations: `syncMyAccount` (the viewer), `syncMember(custId)` (admin), and
// `rotateTokenKeys` (admin: re-seal the stored tokens under the current TOKEN_ENCRYPTION_KEY).
import { Injectable, UseGuards } from '@nestjs/common';
import { Args, Context, Int, Mutation, Resolver } from '@nestjs/graphql';
import { IsInt, Min } from 'class-validator';
import { AdminGuard } from '../core/auth/admin.guard.js';
import { Requesters } from '../core/auth/requester.js';
import { AppConfig } from '../core/config/app-config.js';
import { BadInputError } from '../core/errors/domain-error.js';
import { ImportReport } from '../core/import/import-report.js';
import { ImportParams } from '../scheduler/import-params.js';
import { defineSync } from '../scheduler/sync-definition.js';
import type { SyncHandler } from '../scheduler/sync-definition.js';
import { SyncRun, SyncTrigger } from '../scheduler/sync-run.entity.js';
import { SyncRunService } from '../scheduler/sync-run.service.js';
import { MEMBER_ACCOUNT_KIND } from './accounts.kinds.js';
import { LinkingDisabledError } from './link.service.js';
import { MemberAccountImporter } from './member-account.importer.js';
import { TokenVault } from './token-vault.service.js';
import { ViewerGuard, viewerOf } from './viewer.guard.js';
import type { ViewerContext } from './viewer.guard.js';

const POSITIVE = 'custId must be a positive integer, got $value';

export class MemberAccountSyncParams extends ImportParams {
  @IsInt({ message: POSITIVE })
  @Min(1, { message: POSITIVE })
  custId: number;
}

export class LinkedMembersSyncParams extends ImportParams {}

@Injectable()
export class MemberAccountSync implements SyncHandler<MemberAccountSyncParams> {
  constructor(private readonly importer: MemberAccountImporter) {}

  run(params: MemberAccountSyncParams): Promise<ImportReport> {
    return this.importer.sync(params.custId, params);
  }
}

export const MEMBER_ACCOUNT_SYNC = defineSync({
  kind: MEMBER_ACCOUNT_KIND,
  command: 'member-account',
  params: MemberAccountSyncParams,
  handler: MemberAccountSync,
  queue: 'member',
});

@Injectable()
export class LinkedMembersSync implements SyncHandler<LinkedMembersSyncParams> {
  constructor(
    private readonly vault: TokenVault,
    private readonly runs: SyncRunService,
  ) {}

  async run(params: LinkedMembersSyncParams): Promise<ImportReport> {
    const report = new ImportReport();
    const linked = await this.vault.activeLinks();
    if (!params.dryRun)
      report.queued.push(
        ...(await this.runs.queueEach(MEMBER_ACCOUNT_SYNC.kind, 'custId', linked, SyncTrigger.SYNC)),
      );
    report.unitsSucceeded++;
    return report;
  }
}

export const LINKED_MEMBERS_SYNC = defineSync({
  kind: 'LINKED_MEMBERS',
  command: 'linked-members',
  params: LinkedMembersSyncParams,
  handler: LinkedMembersSync,
  crons: [{ name: 'linked-members', setting: 'CRON_LINKED_MEMBERS', params: {} }],
});

@Resolver()
export class AccountsSyncResolver {
  constructor(
    private readonly runs: SyncRunService,
    private readonly vault: TokenVault,
    private readonly requesters: Requesters,
    private readonly config: AppConfig,
  ) {}

  @Mutation(() => SyncRun, {
    description:
      "Queues the viewer's own account (profile, licences, owned content, recent form) with their own token; " +
      'returns its run at once.',
  })
  @UseGuards(ViewerGuard)
  async syncMyAccount(@Context() ctx: ViewerContext): Promise<SyncRun> {
    const custId = (await viewerOf(ctx, this.requesters))!;
    return this.runs.enqueue(MEMBER_ACCOUNT_SYNC.kind, { custId }, SyncTrigger.GRAPHQL);
  }

  @Mutation(() => SyncRun, {
    description:
      "Queues a linked member's own account with their own token (admin); returns its run at once.",
  })
  @UseGuards(AdminGuard)
  async syncMember(@Args('custId', { type: () => Int }) custId: number): Promise<SyncRun> {
    if (!Number.isSafeInteger(custId) || custId < 1)
      throw new BadInputError(`custId must be a positive integer, got ${custId}`);
    if (!(await this.vault.link(custId)))
      throw new BadInputError(
        `member ${custId} has not linked their iRacing account: only linked members can be synced with their ` +
          'own token (syncMemberRecentRaces reads any member with the system account)',
      );
    return this.runs.enqueue(MEMBER_ACCOUNT_SYNC.kind, { custId }, SyncTrigger.GRAPHQL);
  }

  @Mutation(() => Int, {
    description:
      'Seals every stored refresh token under the current (first) key of TOKEN_ENCRYPTION_KEY (admin); returns ' +
      'how many were sealed again. Once it returns 0, an old key may be removed from the setting.',
  })
  @UseGuards(AdminGuard)
  rotateTokenKeys(): Promise<number> {
    if (!this.config.tokenEncryptionKeys.length) throw new LinkingDisabledError();
    return this.vault.rotateKeys();
  }
}
