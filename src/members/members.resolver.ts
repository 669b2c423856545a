// GraphQL for members: `member(custId)` and its fields. Owned cars and tracks go through the members' loaders
// (ids) and the catalog's (rows); licenses and the summary are views of the profile's jsonb columns. A list
// field's `complexity` is its expected size, used by the complexity limit.
import { Args, Context, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CatalogLoaders } from '../catalog/catalog.loaders.js';
import { Car } from '../catalog/entities/car.entity.js';
import { Track } from '../catalog/entities/track.entity.js';
import type { GraphQLContext } from '../core/graphql/dataloader.registry.js';
import { UnknownOwnedPackage } from './entities/ownership.entity.js';
import { MemberLicense, MemberSummary, Member } from './entities/member.entity.js';
import { MembersLoaders } from './members.loaders.js';
import { licenseView, summaryView } from './members.mapping.js';
import { MembersService } from './members.service.js';

const members = (ctx: GraphQLContext) => ctx.loaders.get(MembersLoaders);
const catalog = (ctx: GraphQLContext) => ctx.loaders.get(CatalogLoaders);
const present = <T>(list: (T | null | Error)[]): T[] =>
  list.filter((x): x is T => x !== null && !(x instanceof Error));
const byName = <T extends { name: string }>(list: T[]): T[] =>
  list.sort((a, b) => a.name.localeCompare(b.name));

@Resolver(() => Member)
export class MemberResolver {
  constructor(private readonly service: MembersService) {}

  @Query(() => Member, { description: 'One member by iRacing cust_id.' })
  member(@Args('custId', { type: () => Int }) custId: number) {
    return this.service.member(custId);
  }

  @ResolveField(() => [Car], {
    complexity: 200,
    description: 'The cars the member owns, by name (known for the account the syncs run as).',
  })
  async ownedCars(@Parent() m: Member, @Context() ctx: GraphQLContext) {
    const ids = await members(ctx).ownedCarIds.load(m.custId);
    return byName(present(await catalog(ctx).car.loadMany(ids)));
  }

  @ResolveField(() => [Track], {
    complexity: 200,
    description: 'The track packages the member owns, by name (known for the account the syncs run as).',
  })
  async ownedTracks(@Parent() m: Member, @Context() ctx: GraphQLContext) {
    const ids = await members(ctx).ownedTrackPackageIds.load(m.custId);
    return byName(present(await catalog(ctx).track.loadMany(ids)));
  }

  @ResolveField(() => [UnknownOwnedPackage], {
    complexity: 20,
    description:
      'Packages the member owns that the catalog does not list (known for the account the syncs run as): ' +
      'not in ownedCars or ownedTracks until a catalog sync finds them.',
  })
  unknownOwnedPackages(@Parent() m: Member, @Context() ctx: GraphQLContext) {
    return members(ctx).unknownPackages.load(m.custId);
  }

  @ResolveField(() => [MemberLicense], { complexity: 5, description: 'One license per category.' })
  licenses(@Parent() m: Member): MemberLicense[] {
    return (m.licenses ?? []).map(licenseView);
  }

  @ResolveField(() => MemberSummary, {
    nullable: true,
    description: 'Race statistics; null until the member was synced (syncMemberRecentRaces).',
  })
  summary(@Parent() m: Member): MemberSummary | null {
    return summaryView(m.summary, m.summaryAt);
  }
}
