// A member's profile (`sim_profile`, GraphQL `Member`), keyed by iRacing's cust_id: the account's own from
// `member/info`, any other member's from `member/get` + `stats/member_summary`, and a minimal one (name only) for
// every participant the results importer meets. Licenses and the summary stay as jsonb, exposed through small
// GraphQL types by the resolver.
import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** One license of a member, as iRacing gives it (`licenses[]` of member/get, `licenses.<category>` of member/info). */
@ObjectType({ description: "A member's license in one category." })
export class MemberLicense {
  @Field(() => Int, { nullable: true, description: 'iRacing category_id.' })
  categoryId: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'iRacing category: oval, sports_car, formula_car, dirt_oval, dirt_road (road before 2024).',
  })
  category: string | null;

  @Field(() => String, { nullable: true })
  categoryName: string | null;

  @Field(() => Int, { nullable: true, description: 'License level (1-4 Rookie … 17-20 Class A, 21+ Pro).' })
  licenseLevel: number | null;

  @Field(() => String, { nullable: true, description: 'Rookie, Class D … Class A, Pro.' })
  groupName: string | null;

  @Field(() => Float, { nullable: true })
  safetyRating: number | null;

  @Field(() => Int, { nullable: true })
  iRating: number | null;

  @Field(() => Int, { nullable: true, description: 'Time-trial rating.' })
  ttRating: number | null;
}

/**
 * What `stats/member_summary` says about this calendar year, and the member's form over the races of
 * `stats/member_recent_races` (iRacing lists up to the last 10, from about the last 90 days).
 */
@ObjectType({ description: "A member's race statistics: this year's counts and recent form." })
export class MemberSummary {
  @Field(() => Int, { nullable: true, description: 'Official sessions this calendar year.' })
  officialSessionsThisYear: number | null;

  @Field(() => Int, { nullable: true, description: 'Official wins this calendar year.' })
  officialWinsThisYear: number | null;

  @Field(() => Int, { nullable: true, description: 'League sessions this calendar year.' })
  leagueSessionsThisYear: number | null;

  @Field(() => Int, { nullable: true, description: 'League wins this calendar year.' })
  leagueWinsThisYear: number | null;

  @Field(() => Int, { description: 'Recent races counted (at most 10).' })
  recentStarts: number;

  @Field(() => Int)
  recentWins: number;

  @Field(() => Int, { description: 'Recent races finished in the top 5.' })
  recentTop5: number;

  @Field(() => Float, { nullable: true, description: 'Average finish position (1 = winner).' })
  recentAverageFinish: number | null;

  @Field(() => Float, { nullable: true })
  recentAverageIncidents: number | null;

  @Field(() => Int)
  recentLapsLed: number;

  @Field(() => Date, { nullable: true, description: 'Start of the most recent race.' })
  lastRaceAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When these statistics were fetched.' })
  fetchedAt: Date | null;
}

@ObjectType('Member', { description: 'An iRacing member.' })
@Entity('sim_profile')
export class Member {
  @PrimaryColumn({ name: 'cust_id', type: 'int' })
  @Field(() => Int, { description: 'iRacing cust_id.' })
  custId: number;

  @Column({ name: 'display_name', type: 'text' })
  @Field()
  displayName: string;

  @Column({ name: 'first_name', type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  firstName: string | null;

  @Column({ name: 'last_name', type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  lastName: string | null;

  /** A calendar date (`YYYY-MM-DD`): TypeORM reads `date` columns as strings. */
  @Column({ name: 'member_since', type: 'date', nullable: true })
  @Field(() => String, { nullable: true, description: 'Date the member joined (YYYY-MM-DD).' })
  memberSince: string | null;

  @Column({ name: 'flair_name', type: 'text', nullable: true })
  @Field(() => String, {
    nullable: true,
    description: 'The flag shown next to the name (usually a country).',
  })
  flairName: string | null;

  @Column({ name: 'flair_id', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: "iRacing's flair_id." })
  flairId: number | null;

  @Column({ name: 'flair_shortname', type: 'text', nullable: true })
  @Field(() => String, {
    nullable: true,
    description: "The flair's short name as iRacing gives it (usually the country's 3-letter code).",
  })
  flairShortname: string | null;

  @Column({ name: 'country_code', type: 'text', nullable: true })
  @Field(() => String, {
    nullable: true,
    description: "The flair's country code, as iRacing gives it (member/info; member/get may not send it).",
  })
  countryCode: string | null;

  @Column({ name: 'club_name', type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  clubName: string | null;

  /** iRacing's license objects, one per category, in iRacing's order (`seq`). */
  @Column({ type: 'jsonb', default: [] })
  licenses: Record<string, unknown>[];

  /** `{ this_year: {...}, recent: {...} }`, see members.mapping.ts `memberSummary`. */
  @Column({ type: 'jsonb', nullable: true })
  summary: Record<string, unknown> | null;

  @Column({ name: 'summary_at', type: 'timestamptz', nullable: true })
  summaryAt: Date | null;

  @Column({ name: 'info_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, {
    nullable: true,
    description:
      'When member/info or member/get last refreshed this profile (null: known from results only).',
  })
  infoAt: Date | null;

  /** Fields nothing queries, kept as iRacing sent them (merged across member/info and member/get). */
  @Column({ type: 'jsonb', default: {} })
  raw: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
