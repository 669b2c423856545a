// What kind of session a subsession was: a race of an iRacing series season, of a league, or a hosted session.
// Only series races belong to a season's calendar (series, season, race week, event instance); league and
// hosted results carry `season_id`/`series_id` 0 or none, and their chain is never looked for.
import { registerEnumType } from '@nestjs/graphql';

export enum SubsessionKind {
  OFFICIAL = 'OFFICIAL',
  LEAGUE = 'LEAGUE',
  HOSTED = 'HOSTED',
}

registerEnumType(SubsessionKind, {
  name: 'SubsessionKind',
  description: 'Where a subsession comes from.',
  valuesMap: {
    OFFICIAL: {
      description: 'A race of an iRacing series season (counted as official or not), on its calendar.',
    },
    LEAGUE: { description: 'A league session (`league_id`): no series, no season of the calendar.' },
    HOSTED: { description: 'A hosted session: no series, no league.' },
  },
});
