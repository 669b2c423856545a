// The league a league subsession belongs to, as iRacing names it in `results/get` (`league_id`,
// `league_season_id`). Leagues themselves are not synced: these are iRacing's ids.
import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('SubsessionLeague', { description: 'The league (and league season) of a league subsession.' })
export class SubsessionLeague {
  @Field(() => Int, { description: 'iRacing league_id.' })
  id: number;

  @Field(() => Int, { nullable: true, description: 'iRacing league_season_id.' })
  seasonId: number | null;
}
