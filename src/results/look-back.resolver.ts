// GraphQL of the look-back imports (docs/architecture.md §6.12): `Season.driverStandings` (one car class, a page
// by rank, the viewer's own row), `DriverStanding.member` and `TrackLayout.worldRecords(carId)`. Standings and
// world records are public, as iRacing shows them to every member.
import { Args, Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { TrackLayout } from '../catalog/entities/track-layout.entity.js';
import { Requesters } from '../core/auth/requester.js';
import type { GraphQLContext } from '../core/graphql/dataloader.registry.js';
import { Member } from '../members/entities/member.entity.js';
import { MembersLoaders } from '../members/members.loaders.js';
import { Season } from '../seasons/entities/season.entity.js';
import {
  DriverStandingConnection,
  DriverStandingsArgs,
  LapKind,
  WorldRecords,
  WorldRecordsArgs,
} from './dto/look-back.types.js';
import { DriverStanding } from './entities/driver-standing.entity.js';
import { LookBackService } from './look-back.service.js';

const DEFAULT_RECORDS = 10;

@Resolver(() => Season)
export class SeasonStandingsResolver {
  constructor(
    private readonly lookBack: LookBackService,
    private readonly requesters: Requesters,
  ) {}

  @ResolveField(() => DriverStandingConnection, {
    complexity: 30,
    description:
      "The season's driver standings in one car class (stats/season_driver_standings), by rank: every " +
      'division, or one, or one club. Empty until imported (syncStandings).',
  })
  async driverStandings(
    @Parent() s: Season,
    @Args() args: DriverStandingsArgs,
    @Context() ctx: GraphQLContext,
  ): Promise<DriverStandingConnection> {
    const viewer = (await this.requesters.of(ctx)).custId;
    return this.lookBack.standings({ seasonId: s.seasonId, carClassIds: s.carClassIds ?? [] }, args, viewer);
  }
}

@Resolver(() => DriverStanding)
export class DriverStandingResolver {
  @ResolveField(() => Member, { nullable: true, description: 'The stored profile, when there is one.' })
  member(@Parent() d: DriverStanding, @Context() ctx: GraphQLContext): Promise<Member | null> {
    return ctx.loaders.get(MembersLoaders).profile.load(d.custId);
  }
}

@Resolver(() => TrackLayout)
export class LayoutWorldRecordsResolver {
  constructor(private readonly lookBack: LookBackService) {}

  @ResolveField(() => WorldRecords, {
    nullable: true,
    complexity: 20,
    description:
      "A car's world records at this layout (stats/world_records), the fastest first; null until imported " +
      '(syncWorldRecords).',
  })
  worldRecords(@Parent() layout: TrackLayout, @Args() args: WorldRecordsArgs): Promise<WorldRecords | null> {
    return this.lookBack.worldRecords(
      layout.trackId,
      args.carId,
      args.kind ?? LapKind.RACE,
      args.first ?? DEFAULT_RECORDS,
    );
  }
}
