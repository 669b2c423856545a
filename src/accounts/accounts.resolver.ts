// GraphQL for racers' own accounts: start and complete a link (open to anyone: the racer has no token yet; iRacing's
// sign-in is the proof), unlink (the racer's viewer token), and `me` (null without a viewer token).
import { UseGuards } from '@nestjs/common';
import { Args, Context, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Member } from '../members/entities/member.entity.js';
import { MembersLoaders } from '../members/members.loaders.js';
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

@Resolver(() => Viewer)
export class AccountsResolver {
  constructor(
    private readonly links: LinkService,
    private readonly viewers: ViewerTokens,
  ) {}

  @Mutation(() => IracingLinkStart, {
    description:
      "Starts linking a racer's iRacing account: send the racer to authorizeUrl; iRacing returns to redirectUri " +
      '(one of IRACING_REDIRECT_URIS, exactly) with code and state, for completeIracingLink.',
  })
  startIracingLink(@Args('redirectUri') redirectUri: string): Promise<IracingLinkStart> {
    return this.links.start(redirectUri);
  }

  @Mutation(() => IracingLinkResult, {
    description:
      'Completes a link with the code and state iRacing returned (each usable once) and issues a viewer token.',
  })
  async completeIracingLink(
    @Args('state') state: string,
    @Args('code') code: string,
    @Context() ctx: ViewerContext,
  ): Promise<IracingLinkResult> {
    const done = await this.links.complete(state, code);
    return { ...done, member: await profile(ctx, done.custId) };
  }

  @Mutation(() => UnlinkResult, {
    description:
      "Unlinks the viewer's iRacing account and revokes every viewer token of theirs, this one included.",
  })
  @UseGuards(ViewerGuard)
  async unlinkIracingAccount(@Context() ctx: ViewerContext): Promise<UnlinkResult> {
    return this.links.unlink((await viewerOf(ctx, this.viewers))!);
  }

  @Query(() => Viewer, {
    nullable: true,
    description:
      'The racer the viewer token (Authorization: Bearer <viewer token>) stands for; null without one.',
  })
  async me(@Context() ctx: ViewerContext): Promise<Viewer | null> {
    const custId = await viewerOf(ctx, this.viewers);
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
}

/** The stored profile of a racer (the members module's loader), or null. */
function profile(ctx: ViewerContext, custId: number): Promise<Member | null> {
  return ctx.loaders.get(MembersLoaders).profile.load(custId);
}
