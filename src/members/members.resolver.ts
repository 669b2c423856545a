// GraphQL for members: `member(custId)` and its fields. Owned content is private (core's Requesters): the
// member's own viewer token or an admin key; the profile, licences and statistics are public. Owned cars and
// tracks go through the members' loaders (ids) and the catalog's (rows); licenses and the summary are views of
// the profile's jsonb columns. A list field's `complexity` is its expected size, used by the complexity limit.
import { Args, Context, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CatalogLoaders } from '../catalog/catalog.loaders.js';
import { Car } from '../catalog/entities/car.entity.js';
import { Track } from '../catalog/entities/track.entity.js';
import { Requesters } from '../core/auth/requester.js';
import type { RequestContext } from '../core/auth/requester.js';
import type { GraphQLContext } from '../core/graphql/dataloader.registry.js';
import { present } from '../core/graphql/dataloader.registry.js';
import { UnknownOwnedPackage } from './entities/ownership.entity.js';
import { MemberLicense, MemberSummary, Member } from './entities/member.entity.js';
import { MembersLoaders } from './members.loaders.js';
import { licenseView, summaryView } from './members.mapping.js';
import { MembersService } from './members.service.js';

type PrivateContext = GraphQLContext & RequestContext;

const members = (ctx: GraphQLContext) => ctx.loaders.get(MembersLoaders);
const catalog = (ctx: GraphQLContext) => ctx.loaders.get(CatalogLoaders);
const byName = <T extends { name: string }>(list: T[]): T[] =>
  list.sort((a, b) => a.name.localeCompare(b.name));

/** The cars `custId` owns, by name (one statement per level for many members). */
export async function ownedCarsOf(ctx: GraphQLContext, custId: number): Promise<Car[]> {
  const ids = await members(ctx).ownedCarIds.load(custId);
  return byName(present(await catalog(ctx).car.loadMany(ids)));
}

/** The track packages `custId` owns, by name. */
export async function ownedTracksOf(ctx: GraphQLContext, custId: number): Promise<Track[]> {
  const ids = await members(ctx).ownedTrackPackageIds.load(custId);
  return byName(present(await catalog(ctx).track.loadMany(ids)));
}

const OWNED = 'Owned content';

@Resolver(() => Member)
export class MemberResolver {
  constructor(
    private readonly service: MembersService,
    private readonly requesters: Requesters,
  ) {}

  @Query(() => Member, { description: 'One member by iRacing cust_id.' })
  member(@Args('custId', { type: () => Int }) custId: number) {
    return this.service.member(custId);
  }

  @ResolveField(() => [Car], {
    complexity: 200,
    description:
      'The cars the member owns, by name (known for linked members and the system account). Visible to that ' +
      'member and admins only: FORBIDDEN otherwise.',
  })
  async ownedCars(@Parent() m: Member, @Context() ctx: PrivateContext) {
    await this.requesters.assertMaySee(ctx, m.custId, OWNED);
    return ownedCarsOf(ctx, m.custId);
  }

  @ResolveField(() => [Track], {
    complexity: 200,
    description:
      'The track packages the member owns, by name (known for linked members and the system account). ' +
      'Visible to that member and admins only: FORBIDDEN otherwise.',
  })
  async ownedTracks(@Parent() m: Member, @Context() ctx: PrivateContext) {
    await this.requesters.assertMaySee(ctx, m.custId, OWNED);
    return ownedTracksOf(ctx, m.custId);
  }

  @ResolveField(() => [UnknownOwnedPackage], {
    complexity: 20,
    description:
      'Packages the member owns that the catalog does not list: not in ownedCars or ownedTracks until a ' +
      'catalog sync finds them. Visible to that member and admins only.',
  })
  async unknownOwnedPackages(@Parent() m: Member, @Context() ctx: PrivateContext) {
    await this.requesters.assertMaySee(ctx, m.custId, OWNED);
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
