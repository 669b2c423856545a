// The racer's personal calendar feed (docs/architecture.md §6.9): feed tokens (FeedTokens, `planner_feed_token`),
// the mutations that issue and revoke them (FeedResolver) and GET /calendar/<token>.ics (FeedController), over the
// plan and settings of PlannerModule. The table is registered with the planner's entities.
import { Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { MemberErasure } from '../core/member-erasure.js';
import { FeedController } from './feed.controller.js';
import { FeedResolver } from './feed.resolver.js';
import { FeedTokens } from './feed-tokens.service.js';
import { PlannerModule } from './planner.module.js';

export const FEED_RESOLVERS = [FeedResolver];

@Module({
  imports: [PlannerModule],
  controllers: [FeedController],
  providers: [FeedTokens, ...FEED_RESOLVERS],
  exports: [FeedTokens],
})
export class FeedModule implements OnModuleInit {
  constructor(
    private readonly erasure: MemberErasure,
    private readonly tokens: FeedTokens,
  ) {}

  /** An unlink revokes the racer's feed tokens too (docs/architecture.md §6.6). */
  onModuleInit(): void {
    this.erasure.register('calendarFeedsRevoked', (custId) => this.tokens.revokeAll(custId));
  }
}
