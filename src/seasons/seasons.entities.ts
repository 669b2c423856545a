// The entities the seasons module owns, registered once here and in the data source.
import { CarRestriction, CarRestrictionChange } from './entities/car-restriction.entity.js';
import { Event, EventClass, Session } from './entities/event.entity.js';
import { RaceWeek } from './entities/race-week.entity.js';
import { Season } from './entities/season.entity.js';
import { Series } from './entities/series.entity.js';

export const SEASONS_ENTITIES = [
  Series,
  Season,
  RaceWeek,
  CarRestriction,
  CarRestrictionChange,
  Event,
  EventClass,
  Session,
];
