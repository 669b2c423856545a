// GraphQL for racers' own accounts: start and complete a link (open to anyone: the racer has no token yet; iRacing's
// sign-in is the proof), unlink (the racer's viewer token), and `me` (null without a viewer token): the racer's
// link, profile, licences, owned content and recent races, each read as the members and results modules serve
// them (docs/architecture.md §6.6).
import { UseGuards } from '@nestjs/common';
import { Args, Context, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Car } from '../catalog/entities/car.entity.js';
import { Track } from '../catalog/entities/track.entity.js';
import { bearerToken } from '../core/auth/admin.guard.js';
import { Requesters } from '../core/auth/requester.js';
import { BadInputError } from '../core/errors/domain-error.js';
import { MemberLicense, Member } from '../members/entities/member.entity.js';
import { MembersLoaders } from '../members/members.loaders.js';
import { licenseView } from '../members/members.mapping.js';
import { ownedCarsOf, ownedTracksOf } from '../members/members.resolver.js';
import { SubsessionConnection } from '../results/results.resolver.js';
import { ResultsService } from '../results/results.service.js';
import {
  IracingLinkInfo,
  IracingLinkResult,
  IracingLinkStart,
  UnlinkResult,
  Viewer,
} from './dto/accounts.types.js';
import { LinkService } from './link.service.js';
import { ViewerTokens } from './viewer-tokens.service.js';
import { ViewerGuard, viewerOf } from './viewer.guard.js';
import type { ViewerContext } from './viewer.guard.js';

const RECENT_DEFAULT = 10;
const RECENT_MAX = 50;

@Resolver(() => Viewer)
export class AccountsResolver {
  constructor(
    private readonly links: LinkService,
    private readonly requesters: Requesters,
    private readonly results: ResultsService,
    private readonly viewers: ViewerTokens,
  ) {}

  @Mutation(() => IracingLinkStart, {
    description:
      "Starts linking a racer's iRacing account: send the racer to authorizeUrl; iRacing returns to redirectUri " +
      '(one of IRACING_REDIRECT_URIS, exactly) with code and state, for completeIracingLink.',
  })
  startIracingLink(
    @Args('redirectUri') redirectUri: string,
    @Context() ctx: ViewerContext,
  ): Promise<IracingLinkStart> {
    const req = ctx.req as { socket?: { remoteAddress?: string } } | undefined;
    return this.links.start(redirectUri, req?.socket?.remoteAddress);
  }

  @Mutation(() => IracingLinkResult, {
    description:
      'Completes a link with the code and state iRacing returned (each usable once), stores what member/info ' +
      'says of the racer, queues their first sync and issues a viewer token.',
  })
  async completeIracingLink(
    @Args('state') state: string,
    @Args('code') code: string,
    @Context() ctx: ViewerContext,
  ): Promise<IracingLinkResult> {
    const done = await this.links.complete(state, code);
    // The answer reads as the racer who just signed in (their owned content is theirs to see).
    ctx.requester = Promise.resolve({ admin: false, custId: done.custId });
    return { ...done, member: await profile(ctx, done.custId) };
  }

  @Mutation(() => UnlinkResult, {
    description:
      "Unlinks the viewer's iRacing account: deletes its tokens and owned content, and revokes every viewer " +
      'token of theirs (this one included).',
  })
  @UseGuards(ViewerGuard)
  async unlinkIracingAccount(@Context() ctx: ViewerContext): Promise<UnlinkResult> {
    const { erased, ...done } = await this.links.unlink((await viewerOf(ctx, this.requesters))!);
    return {
      ...done,
      planItemsDeleted: erased.planItemsDeleted ?? 0,
      favouritesDeleted: erased.favouritesDeleted ?? 0,
      calendarFeedsRevoked: erased.calendarFeedsRevoked ?? 0,
      historyRowsDeleted: erased.historyRowsDeleted ?? 0,
    };
  }

  @Mutation(() => Boolean, {
    description:
      'Revokes the viewer token this request carries (signing out of one device); the link and the racer’s other ' +
      'viewer tokens stay. True when it was live.',
  })
  @UseGuards(ViewerGuard)
  revokeViewerToken(@Context() ctx: ViewerContext): Promise<boolean> {
    const token = bearerToken(ctx.req?.headers?.authorization);
    return token ? this.viewers.revoke(token) : Promise.resolve(false);
  }

  @Query(() => Viewer, {
    nullable: true,
    description:
      'The racer the viewer token (Authorization: Bearer <viewer token>) stands for; null without one.',
  })
  async me(@Context() ctx: ViewerContext): Promise<Viewer | null> {
    const custId = await viewerOf(ctx, this.requesters);
    return custId === null ? null : { custId };
  }

  @ResolveField(() => IracingLinkInfo, { nullable: true, description: 'Null once unlinked.' })
  iracingLink(@Parent() viewer: Viewer): Promise<IracingLinkInfo | null> {
    return this.links.link(viewer.custId);
  }

  @ResolveField(() => Member, { nullable: true, description: "The racer's profile, when one is stored." })
  member(@Parent() viewer: Viewer, @Context() ctx: ViewerContext): Promise<Member | null> {
    return profile(ctx, viewer.custId);
  }

  @ResolveField(() => [MemberLicense], {
    complexity: 5,
    description: "The racer's licence per category (class, safety rating, iRating), from their own account.",
  })
  async licenses(@Parent() viewer: Viewer, @Context() ctx: ViewerContext): Promise<MemberLicense[]> {
    return ((await profile(ctx, viewer.custId))?.licenses ?? []).map(licenseView);
  }

  @ResolveField(() => [Car], { complexity: 200, description: 'The cars the racer owns, by name.' })
  ownedCars(@Parent() viewer: Viewer, @Context() ctx: ViewerContext): Promise<Car[]> {
    return ownedCarsOf(ctx, viewer.custId);
  }

  @ResolveField(() => [Track], {
    complexity: 200,
    description: 'The track packages the racer owns, by name.',
  })
  ownedTracks(@Parent() viewer: Viewer, @Context() ctx: ViewerContext): Promise<Track[]> {
    return ownedTracksOf(ctx, viewer.custId);
  }

  @ResolveField(() => SubsessionConnection, {
    complexity: 20,
    description: "The racer's stored races, newest first (imported results they drove in).",
  })
  recentRaces(
    @Parent() viewer: Viewer,
    @Args('first', { type: () => Int, nullable: true, description: 'At most 50; 10 when not given.' })
    first?: number | null,
  ) {
    const wanted = first ?? RECENT_DEFAULT;
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > RECENT_MAX)
      throw new BadInputError(`first must be between 1 and ${RECENT_MAX}, got ${wanted}`);
    return this.results.list({ filter: { custId: viewer.custId }, first: wanted });
  }
}

/** The stored profile of a racer (the members module's loader), or null. */
function profile(ctx: ViewerContext, custId: number): Promise<Member | null> {
  return ctx.loaders.get(MembersLoaders).profile.load(custId);
}
