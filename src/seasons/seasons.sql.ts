// The season graph as SQL can build it for selection-compiled reads (docs/architecture.md §6.11): column fields
// come from the entities; the relations below say the same as the resolvers' DataLoaders, in their order.
import { CarClass } from '../catalog/entities/car-class.entity.js';
import { Car } from '../catalog/entities/car.entity.js';
import { TrackLayout } from '../catalog/entities/track-layout.entity.js';
import { sqlByIds, sqlMany, sqlOne, sqlType } from '../core/graphql/sql-types.js';
import { CarRestriction } from './entities/car-restriction.entity.js';
import { Event, EventClass, Session } from './entities/event.entity.js';
import { RaceWeek } from './entities/race-week.entity.js';
import { Season } from './entities/season.entity.js';
import { Series } from './entities/series.entity.js';

const series = sqlOne(Series, (p, a) => `series ${a} WHERE ${a}.series_id = ${p}.series_id`);
const season = sqlOne(Season, (p, a) => `season ${a} WHERE ${a}.season_id = ${p}.season_id`);
const layout = sqlOne(TrackLayout, (p, a) => `sim_layout ${a} WHERE ${a}.track_id = ${p}.track_id`);
const carClasses = sqlByIds(CarClass, 'car_class', 'car_class_id', (p) => `${p}.car_class_ids`);

sqlType(Series);
sqlType(Season, {
  fields: {
    series,
    carClasses,
    raceWeeks: sqlMany(
      RaceWeek,
      (p, a) => `race_week ${a} WHERE ${a}.season_id = ${p}.season_id`,
      (a) => `${a}.race_week_num`,
    ),
  },
});
sqlType(RaceWeek, {
  fields: {
    season,
    series,
    layout,
    carClasses,
    weekNumber: { computed: (p) => `${p}.race_week_num + 1` },
    carRestrictions: sqlMany(
      CarRestriction,
      (p, a) => `car_restriction ${a} WHERE ${a}.race_week_id = ${p}.id`,
      (a) => `${a}.car_id`,
    ),
    event: sqlOne(Event, (p, a) => `event ${a} WHERE ${a}.race_week_id = ${p}.id`),
  },
});
sqlType(CarRestriction, {
  fields: { car: sqlOne(Car, (p, a) => `sim_car ${a} WHERE ${a}.car_id = ${p}.car_id`) },
});
sqlType(Event, {
  fields: {
    season,
    series,
    layout,
    raceWeek: sqlOne(RaceWeek, (p, a) => `race_week ${a} WHERE ${a}.id = ${p}.race_week_id`),
    classes: sqlMany(
      EventClass,
      (p, a) => `event_class ${a} WHERE ${a}.event_id = ${p}.id`,
      (a) => `${a}.position`,
    ),
  },
});
sqlType(EventClass, {
  fields: {
    carClass: sqlOne(CarClass, (p, a) => `car_class ${a} WHERE ${a}.car_class_id = ${p}.car_class_id`),
    // The class's cars that race this week; when the week names cars none of which is in the class, the week's
    // list as given (the resolver's rule).
    cars: {
      type: Car,
      sql: (p, a, node) => `coalesce(
        (SELECT json_agg(${node} ORDER BY ${a}.car_id) FROM car_class_car ${a}_m JOIN sim_car ${a} ON ${a}.car_id = ${a}_m.car_id
          WHERE ${a}_m.car_class_id = ${p}.car_class_id
            AND (coalesce(cardinality(${p}.car_ids), 0) = 0 OR ${a}.car_id = ANY(${p}.car_ids))),
        (SELECT coalesce(json_agg(${node} ORDER BY ${a}_u.ord), '[]')
          FROM unnest(${p}.car_ids) WITH ORDINALITY ${a}_u(id, ord) JOIN sim_car ${a} ON ${a}.car_id = ${a}_u.id))`,
    },
  },
});
sqlType(Session, {
  fields: {
    event: sqlOne(Event, (p, a) => `event ${a} WHERE ${a}.id = ${p}.event_id`),
    raceWeek: sqlOne(
      RaceWeek,
      (p, a) =>
        `event ${a}_e JOIN race_week ${a} ON ${a}.id = ${a}_e.race_week_id WHERE ${a}_e.id = ${p}.event_id`,
    ),
  },
});
