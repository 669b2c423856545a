// Accounts: racers' links to their own iRacing accounts (sealed refresh tokens, TokenVault), the viewer tokens
// their clients read with (ViewerTokens), and the link itself (LinkService: GraphQL and the development callback
// page). Above members and results in the dependency order (docs/architecture.md §2.5); core never imports it.
// Without TOKEN_ENCRYPTION_KEY the module still starts (linking off): the vault then refuses to seal or open a
// token, naming the setting.
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../core/config/app-config.js';
import { IracingModule } from '../iracing/iracing.module.js';
import { ACCOUNTS_ENTITIES } from './accounts.entities.js';
import { AccountsResolver } from './accounts.resolver.js';
import { LinkCallbackController } from './link-callback.controller.js';
import { LinkService } from './link.service.js';
import { MemberAccess } from './member-access.service.js';
import { TokenCipher } from './token-cipher.js';
import { TokenVault } from './token-vault.service.js';
import { ViewerTokens } from './viewer-tokens.service.js';
import { ViewerGuard } from './viewer.guard.js';

export { ACCOUNTS_ENTITIES };

@Module({
  // IracingModule is global in the application; imported here too so the module also starts on its own (tests).
  imports: [TypeOrmModule.forFeature(ACCOUNTS_ENTITIES), IracingModule],
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
    ViewerGuard,
    AccountsResolver,
  ],
  exports: [TokenVault, ViewerTokens, LinkService, MemberAccess],
})
export class AccountsModule {}
