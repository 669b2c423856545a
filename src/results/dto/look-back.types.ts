// GraphQL shapes of the look-back reads (docs/architecture.md §6.12): a season's driver standings per car class,
// a layout's world records for a car.
import { ArgsType, Field, Float, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsEnum, IsInt, IsOptional, Max, Min } from 'class-validator';
import { Connection, PageArgs } from '../../core/graphql/pagination.js';
import { DriverStanding } from '../entities/driver-standing.entity.js';

/** iRacing's divisions: 0 is Division 1, 9 Division 10, 10 Rookie. */
export const MAX_DIVISION = 10;

@ArgsType()
export class DriverStandingsArgs extends PageArgs {
  @Field(() => Int, {
    nullable: true,
    description: "The car class (default: the season's only class, or its only class with standings).",
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  carClassId?: number;

  @Field(() => Int, {
    nullable: true,
    description: `One division: iRacing's 0-based number, 0 (Division 1) to ${MAX_DIVISION} (Rookie).`,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_DIVISION)
  division?: number;

  @Field(() => Int, { nullable: true, description: "One club (iRacing's club_id)." })
  @IsOptional()
  @IsInt()
  @Min(1)
  clubId?: number;
}

@ObjectType('DriverStandingConnection', {
  description: "A season's standings in one car class, by rank; `viewer` is the viewer's own row.",
})
export class DriverStandingConnection extends Connection(DriverStanding, 'DriverStanding') {
  @Field(() => Int)
  carClassId: number;

  @Field(() => Date, { nullable: true, description: 'When iRacing last computed them (its last_updated).' })
  lastUpdated: Date | null;

  @Field(() => Date, { nullable: true, description: 'When they were last imported; null when never.' })
  fetchedAt: Date | null;

  @Field(() => DriverStanding, {
    nullable: true,
    description: "The viewer's own row in this car class, whatever the filters and page; null without one.",
  })
  viewer: DriverStanding | null;
}

export enum LapKind {
  RACE = 'race',
  QUALIFY = 'qualify',
  TIME_TRIAL = 'tt',
  PRACTICE = 'practice',
}
registerEnumType(LapKind, { name: 'LapKind', description: 'Which best lap a world record is.' });

@ArgsType()
export class WorldRecordsArgs {
  @Field(() => Int, { description: 'iRacing car_id.' })
  @IsInt()
  @Min(1)
  carId: number;

  @Field(() => LapKind, { nullable: true, description: 'RACE when not given.' })
  @IsOptional()
  @IsEnum(LapKind)
  kind?: LapKind;

  @Field(() => Int, { nullable: true, description: 'The fastest N, 1 to 100 (default 10).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  first?: number;
}

@ObjectType('WorldRecord', { description: "A member's best lap of one kind with a car at a layout." })
export class WorldRecordEntry {
  @Field(() => Int, { description: 'Position among the laps of this kind, 1 the fastest.' })
  position: number;

  @Field(() => Int)
  custId: number;

  @Field()
  displayName: string;

  @Field(() => String, { nullable: true })
  clubName: string | null;

  @Field(() => String, { nullable: true })
  countryCode: string | null;

  @Field(() => Int, { nullable: true })
  licenseLevel: number | null;

  @Field(() => Int, { nullable: true })
  irating: number | null;

  @Field(() => Float, { description: 'Seconds.' })
  lapTime: number;

  @Field(() => String, { nullable: true, description: 'The day it was set, YYYY-MM-DD.' })
  date: string | null;

  @Field(() => Int, { nullable: true })
  seasonYear: number | null;

  @Field(() => Int, { nullable: true })
  seasonQuarter: number | null;
}

@ObjectType('WorldRecords', {
  description:
    "A car's world records at a layout (stats/world_records), kept for the season quarter fetched in.",
})
export class WorldRecords {
  @Field(() => Int)
  carId: number;

  @Field(() => Int)
  trackId: number;

  @Field(() => LapKind)
  kind: LapKind;

  @Field(() => Int, { description: 'Members listed (any kind of lap).' })
  drivers: number;

  @Field(() => Int, { description: 'Members with a lap of this kind.' })
  totalCount: number;

  @Field(() => Int, { description: 'The season quarter it was fetched in (kept until the next).' })
  seasonYear: number;

  @Field(() => Int)
  seasonQuarter: number;

  @Field(() => Date)
  fetchedAt: Date;

  @Field(() => Date, { nullable: true })
  lastUpdated: Date | null;

  @Field(() => [WorldRecordEntry], { description: 'The fastest first.' })
  entries: WorldRecordEntry[];
}
