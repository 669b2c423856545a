// Accounts: racers' links to their own iRacing accounts (sealed refresh tokens, TokenVault), the viewer tokens
// their clients read with (ViewerTokens), the link itself (LinkService: GraphQL and the development callback
// page), and the syncs that act as a linked member with their own token (accounts.sync.ts). Above members and
// results in the dependency order (docs/architecture.md §2.5); core never imports it.
// Without TOKEN_ENCRYPTION_KEY the module still starts (linking off): the vault then refuses to seal or open a
// token, naming the setting.
import { Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { Requesters } from '../core/auth/requester.js';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../core/config/app-config.js';
import { IracingModule } from '../iracing/iracing.module.js';
import { ACCOUNTS_ENTITIES } from './accounts.entities.js';
import { MembersModule } from '../members/members.module.js';
import { ResultsModule } from '../results/results.module.js';
import { AccountsResolver } from './accounts.resolver.js';
import { AccountsSyncResolver, LinkedMembersSync, MemberAccountSync } from './accounts.sync.js';
import { MemberAccountImporter } from './member-account.importer.js';
import { LinkCallbackController } from './link-callback.controller.js';
import { LinkService } from './link.service.js';
import { MemberAccess } from './member-access.service.js';
import { TokenCipher } from './token-cipher.js';
import { TokenVault } from './token-vault.service.js';
import { ViewerTokens } from './viewer-tokens.service.js';
import { ViewerHistoryResolver } from './viewer-history.resolver.js';
import { ViewerGuard } from './viewer.guard.js';

export { ACCOUNTS_ENTITIES };

@Module({
  // IracingModule is global in the application; imported here too so the module also starts on its own (tests).
  imports: [TypeOrmModule.forFeature(ACCOUNTS_ENTITIES), IracingModule, MembersModule, ResultsModule],
  controllers: [LinkCallbackController],
  providers: [
    {
      provide: TokenCipher,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new TokenCipher(config.tokenEncryptionKeys),
    },
    TokenVault,
    ViewerTokens,
    LinkService,
    MemberAccess,
    MemberAccountImporter,
    MemberAccountSync,
    LinkedMembersSync,
    ViewerGuard,
    AccountsResolver,
    ViewerHistoryResolver,
    AccountsSyncResolver,
  ],
  exports: [TokenVault, ViewerTokens, LinkService, MemberAccess],
})
export class AccountsModule implements OnModuleInit {
  constructor(
    private readonly requesters: Requesters,
    private readonly viewers: ViewerTokens,
  ) {}

  /** Viewer tokens are this module's: core's Requesters resolve them through it. */
  onModuleInit(): void {
    this.requesters.useDirectory(this.viewers);
  }
}
