// GraphQL shapes of a linked member's own history (docs/architecture.md §6.12): rating charts and results totals.
import { ArgsType, Field, Float, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsEnum, IsInt, IsOptional, Max, Min } from 'class-validator';
import { Category } from '../../catalog/dto/catalog.args.js';

export enum RatingKind {
  IRATING = 'IRATING',
  TT_RATING = 'TT_RATING',
  SAFETY_RATING = 'SAFETY_RATING',
}
registerEnumType(RatingKind, {
  name: 'RatingKind',
  description: 'A rating chart: iRating, time-trial rating, or licence class with safety rating.',
});

@ArgsType()
export class RatingHistoryArgs {
  @Field(() => Category)
  @IsEnum(Category)
  category: Category;

  @Field(() => RatingKind)
  @IsEnum(RatingKind)
  kind: RatingKind;

  @Field(() => Date, { nullable: true, description: 'From this day (inclusive, UTC).' })
  @IsOptional()
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'To this day (inclusive, UTC).' })
  @IsOptional()
  to?: Date;
}

@ObjectType('RatingPoint', {
  description: "A rating at the end of a day on which it changed (iRacing's chart).",
})
export class RatingPoint {
  @Field({ description: 'YYYY-MM-DD (UTC).' })
  day: string;

  @Field(() => Int, {
    description:
      'The rating; for SAFETY_RATING as iRacing charts it: licence group × 1000 + safety rating × 100.',
  })
  value: number;

  @Field(() => String, { nullable: true, description: 'SAFETY_RATING: Rookie, Class D … Class A, Pro.' })
  licenseClass: string | null;

  @Field(() => Float, { nullable: true, description: 'SAFETY_RATING: the safety rating.' })
  safetyRating: number | null;
}

@ArgsType()
export class YearlyStatsArgs {
  @Field(() => Int, { nullable: true, description: 'One year (default: every year).' })
  @IsOptional()
  @IsInt()
  @Min(2008)
  @Max(2100)
  year?: number;
}

@ObjectType('MemberStats', {
  description:
    "A member's official results totals in one category: one year's (stats/member_yearly) or a career's.",
})
export class MemberStats {
  @Field(() => Int, { nullable: true, description: 'Null for career totals.' })
  year: number | null;

  @Field(() => Category, { nullable: true, description: 'Null for a category this server does not know.' })
  category: Category | null;

  @Field(() => Int, { description: 'iRacing category_id.' })
  categoryId: number;

  @Field(() => Int)
  starts: number;

  @Field(() => Int)
  wins: number;

  @Field(() => Int)
  top5: number;

  @Field(() => Int)
  poles: number;

  @Field(() => Float)
  avgStartPosition: number;

  @Field(() => Float)
  avgFinishPosition: number;

  @Field(() => Int)
  laps: number;

  @Field(() => Int)
  lapsLed: number;

  @Field(() => Float)
  avgIncidents: number;

  @Field(() => Float)
  avgPoints: number;

  @Field(() => Float, { description: '0 to 100.' })
  winPercentage: number;

  @Field(() => Float, { description: '0 to 100.' })
  top5Percentage: number;

  @Field(() => Float, { description: '0 to 100.' })
  lapsLedPercentage: number;

  @Field(() => Int, { nullable: true })
  clubPoints: number | null;
}
