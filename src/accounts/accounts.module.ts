// Accounts: racers' links to their own iRacing accounts (sealed refresh tokens, TokenVault) and the viewer
// tokens their clients read with (ViewerTokens). Above members and results in the dependency order
// (docs/architecture.md §2.5); core never imports it. Without TOKEN_ENCRYPTION_KEY the module still starts (linking
// off): the vault then refuses to seal or open a token, naming the setting.
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../core/config/app-config.js';
import { ACCOUNTS_ENTITIES } from './accounts.entities.js';
import { TokenCipher } from './token-cipher.js';
import { TokenVault } from './token-vault.service.js';
import { ViewerTokens } from './viewer-tokens.service.js';

export { ACCOUNTS_ENTITIES };

@Module({
  imports: [TypeOrmModule.forFeature(ACCOUNTS_ENTITIES)],
  providers: [
    {
      provide: TokenCipher,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new TokenCipher(config.tokenEncryptionKeys),
    },
    TokenVault,
    ViewerTokens,
  ],
  exports: [TokenVault, ViewerTokens],
})
export class AccountsModule {}
