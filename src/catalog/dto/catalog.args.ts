// Filters and arguments of the catalog queries.
import { ArgsType, Field, InputType, Int, registerEnumType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageArgs } from '../../core/graphql/pagination.js';

export enum Category {
  ROAD = 'road',
  OVAL = 'oval',
  DIRT_ROAD = 'dirt_road',
  DIRT_OVAL = 'dirt_oval',
  SPORTS_CAR = 'sports_car',
  FORMULA_CAR = 'formula_car',
}
registerEnumType(Category, {
  name: 'Category',
  description:
    'iRacing racing categories. ROAD also matches SPORTS_CAR and FORMULA_CAR cars (and vice versa for tracks).',
});

/** iRacing's category_id of each category (road: the legacy category, before 2024's split). */
export const CATEGORY_IDS: Record<Category, number> = {
  [Category.OVAL]: 1,
  [Category.ROAD]: 2,
  [Category.DIRT_OVAL]: 3,
  [Category.DIRT_ROAD]: 4,
  [Category.SPORTS_CAR]: 5,
  [Category.FORMULA_CAR]: 6,
};

/** The stored category values a filter value matches, for cars and for track layouts. */
export function categoryValues(category: Category, of: 'car' | 'track'): string[] {
  const road = [Category.ROAD, Category.SPORTS_CAR, Category.FORMULA_CAR];
  if (of === 'car')
    return category === Category.ROAD ? [Category.SPORTS_CAR, Category.FORMULA_CAR] : [category];
  return road.includes(category) ? [Category.ROAD] : [category];
}

@InputType()
export class CarFilter {
  @Field({ nullable: true, description: 'Matches name, abbreviation, make or model (case-insensitive).' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  @Field(() => Category, { nullable: true })
  @IsOptional()
  @IsEnum(Category)
  category?: Category;

  @Field(() => Int, { nullable: true, description: 'Only cars of this car class.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  carClassId?: number;

  @Field({ nullable: true, description: 'Only cars free with a subscription (true) or paid ones (false).' })
  @IsOptional()
  @IsBoolean()
  free?: boolean;
}

@ArgsType()
export class CarsArgs extends PageArgs {
  @Field(() => CarFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => CarFilter)
  filter?: CarFilter;
}

@InputType()
export class CarClassFilter {
  @Field({ nullable: true, description: 'Matches name or short name (case-insensitive).' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  @Field(() => Int, { nullable: true, description: 'Only classes that contain this car.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  carId?: number;
}

@ArgsType()
export class CarClassesArgs extends PageArgs {
  @Field(() => CarClassFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => CarClassFilter)
  filter?: CarClassFilter;
}

@InputType()
export class TrackFilter {
  @Field({
    nullable: true,
    description: 'Matches track name, configuration name or location (case-insensitive).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  @Field(() => Category, {
    nullable: true,
    description: 'Only tracks with a configuration of this category.',
  })
  @IsOptional()
  @IsEnum(Category)
  category?: Category;

  @Field({ nullable: true, description: 'Only tracks free with a subscription (true) or paid ones (false).' })
  @IsOptional()
  @IsBoolean()
  free?: boolean;

  @Field({ nullable: true, description: 'Include retired tracks (default true).' })
  @IsOptional()
  @IsBoolean()
  includeRetired?: boolean;
}

@ArgsType()
export class TracksArgs extends PageArgs {
  @Field(() => TrackFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => TrackFilter)
  filter?: TrackFilter;
}

@ArgsType()
export class LayoutsArgs extends PageArgs {
  @Field(() => TrackFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => TrackFilter)
  filter?: TrackFilter;
}
