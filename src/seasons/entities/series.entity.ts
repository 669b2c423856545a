// A series (`series/get`): what a member signs up for; its seasons run quarter after quarter.
import { Field, Int, ObjectType } from '@nestjs/graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@ObjectType({ description: 'A license range a series accepts.' })
export class LicenseRange {
  @Field(() => String, { nullable: true })
  groupName: string | null;

  @Field(() => Int, {
    nullable: true,
    description: 'iRacing license group (1 Rookie … 5 A, 6 Pro, 7 Pro/WC).',
  })
  licenseGroup: number | null;

  @Field(() => Int, { nullable: true })
  minLicenseLevel: number | null;

  @Field(() => Int, { nullable: true })
  maxLicenseLevel: number | null;
}

@ObjectType('Series', { description: 'A series: its seasons run quarter after quarter.' })
@Entity('series')
export class Series {
  @PrimaryColumn({ name: 'series_id', type: 'int' })
  @Field(() => Int, { name: 'id', description: 'iRacing series_id.' })
  seriesId: number;

  @Index()
  @Column({ type: 'text' })
  @Field()
  name: string;

  @Column({ name: 'short_name', type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  shortName: string | null;

  /** iRacing category: oval, road, dirt_oval, dirt_road, sports_car, formula_car. */
  @Index()
  @Column({ type: 'text', nullable: true })
  @Field(() => String, {
    nullable: true,
    description: 'iRacing category (oval, sports_car, formula_car, …).',
  })
  category: string | null;

  @Column({ name: 'category_id', type: 'int', nullable: true })
  categoryId: number | null;

  /** From the latest season seen: whether the series counts for licenses and iRating. */
  @Column({ type: 'boolean', nullable: true })
  @Field(() => Boolean, {
    nullable: true,
    description: 'Whether its seasons are official (from the latest season).',
  })
  official: boolean | null;

  @Column({ type: 'boolean', nullable: true })
  @Field(() => Boolean, { nullable: true })
  eligible: boolean | null;

  @Column({ name: 'min_starters', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  minStarters: number | null;

  @Column({ name: 'max_starters', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  maxStarters: number | null;

  @Column({ name: 'forum_url', type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  forumUrl: string | null;

  @Column({ name: 'allowed_licenses', type: 'jsonb', default: [] })
  allowedLicenses: Record<string, unknown>[];

  /** iRacing's payload as sent, for the record: no query reads it unless it selects it by name. */
  @Column({ type: 'jsonb', default: {}, select: false })
  raw: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
