// The viewer's own history on `me` (docs/architecture.md §6.12): rating charts, yearly and career totals, as their
// last member sync read them with their own token. `me` is only ever the viewer: no one else's history is served.
import { Args, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import {
  MemberStats,
  RatingHistoryArgs,
  RatingPoint,
  YearlyStatsArgs,
} from '../members/dto/member-history.types.js';
import { MemberHistory } from '../members/member-history.js';
import { Viewer } from './dto/accounts.types.js';

@Resolver(() => Viewer)
export class ViewerHistoryResolver {
  constructor(private readonly history: MemberHistory) {}

  @ResolveField(() => [RatingPoint], {
    complexity: 20,
    description:
      "The racer's rating chart in one category (member/chart_data), by day; empty until their first sync.",
  })
  ratingHistory(@Parent() viewer: Viewer, @Args() args: RatingHistoryArgs): Promise<RatingPoint[]> {
    return this.history.ratingHistory(viewer.custId, args.category, args.kind, args.from, args.to);
  }

  @ResolveField(() => [MemberStats], {
    complexity: 5,
    description: "The racer's official results totals per category over their career (stats/member_career).",
  })
  careerStats(@Parent() viewer: Viewer): Promise<MemberStats[]> {
    return this.history.career(viewer.custId);
  }

  @ResolveField(() => [MemberStats], {
    complexity: 10,
    description: "The racer's totals per year and category (stats/member_yearly), newest year first.",
  })
  yearlyStats(@Parent() viewer: Viewer, @Args() args: YearlyStatsArgs): Promise<MemberStats[]> {
    return this.history.yearly(viewer.custId, args.year);
  }
}
