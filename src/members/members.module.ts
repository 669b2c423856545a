// Members: profiles, owned cars and tracks, member statistics, and the OWNED_CONTENT sync. Exports its importer
// (participant profiles and a member's recent races, for results) and its read service.
import { Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogModule } from '../catalog/catalog.module.js';
import { DataLoaderService } from '../core/graphql/dataloader.registry.js';
import { MemberErasure } from '../core/member-erasure.js';
import { OWNERSHIP_LOOKUP } from '../core/ownership.js';
import { MEMBERS_ENTITIES } from './members.entities.js';
import { MemberHistory } from './member-history.js';
import { MembersImporter } from './members.importer.js';
import { MembersLoaders } from './members.loaders.js';
import { MemberResolver } from './members.resolver.js';
import { MembersService } from './members.service.js';
import { MembersSyncResolver, OwnedContentSync } from './members.sync.js';

export { MEMBERS_ENTITIES };
export const MEMBERS_RESOLVERS = [MemberResolver];

@Module({
  imports: [TypeOrmModule.forFeature(MEMBERS_ENTITIES), CatalogModule],
  providers: [
    OwnedContentSync,
    MembersSyncResolver,
    MembersService,
    MembersImporter,
    MemberHistory,
    { provide: OWNERSHIP_LOOKUP, useExisting: MembersService },
    ...MEMBERS_RESOLVERS,
  ],
  exports: [MembersService, MembersImporter, MemberHistory],
})
export class MembersModule implements OnModuleInit {
  constructor(
    private readonly loaders: DataLoaderService,
    private readonly members: MembersService,
    private readonly erasure: MemberErasure,
    private readonly history: MemberHistory,
  ) {}

  onModuleInit(): void {
    this.loaders.register(MembersLoaders, () => new MembersLoaders(this.members));
    // An unlink erases the racer's own history (docs/architecture.md §6.6).
    this.erasure.register('historyRowsDeleted', (custId) => this.history.forget(custId));
  }
}
