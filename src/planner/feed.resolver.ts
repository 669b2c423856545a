// The viewer's calendar feeds (docs/architecture.md §6.9): a mutation issues a feed token (shown once, stored as
// its SHA-256, like a viewer token, §6.6) and answers the feed's path; another revokes every feed of the viewer.
// Both need the viewer's own token; the feed token itself reads nothing through GraphQL.
import { UseGuards } from '@nestjs/common';
import { Context, Field, Int, Mutation, ObjectType, Resolver } from '@nestjs/graphql';
import { ViewerGuard, viewerOf } from '../accounts/viewer.guard.js';
import type { ViewerContext } from '../accounts/viewer.guard.js';
import { Requesters } from '../core/auth/requester.js';
import { FeedTokens } from './feed-tokens.service.js';

@ObjectType({
  description: "A personal calendar feed of the viewer's plan. Shown once: only its digest is kept.",
})
export class CalendarFeed {
  @Field({
    description:
      'The feed, relative to the API (`/calendar/<token>.ics`), for a calendar app to subscribe to. Shown once; ' +
      'whoever has it reads the plan, until revokeCalendarFeeds.',
  })
  url: string;

  @Field({ description: 'The feed token (`slf_…`): it opens this feed and nothing else. Shown once.' })
  token: string;
}

/** The feed's path for a token. */
export const feedPath = (token: string): string => `/calendar/${token}.ics`;

@Resolver()
export class FeedResolver {
  constructor(
    private readonly tokens: FeedTokens,
    private readonly requesters: Requesters,
  ) {}

  @Mutation(() => CalendarFeed, {
    description:
      "Issues a personal calendar feed of the viewer's plan (planned sessions with a reminder, planned weeks, " +
      'and with settings.feedFavourites the weeks of favourite series). The url and token are shown once.',
  })
  @UseGuards(ViewerGuard)
  async createCalendarFeed(@Context() ctx: ViewerContext): Promise<CalendarFeed> {
    const token = await this.tokens.issue((await viewerOf(ctx, this.requesters))!);
    return { url: feedPath(token), token };
  }

  @Mutation(() => Int, {
    description: 'Revokes every calendar feed of the viewer: their urls answer 404 from then on. How many.',
  })
  @UseGuards(ViewerGuard)
  async revokeCalendarFeeds(@Context() ctx: ViewerContext): Promise<number> {
    return this.tokens.revokeAll((await viewerOf(ctx, this.requesters))!);
  }
}
