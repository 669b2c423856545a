// The catalog's objects as SQL can build them for selection-compiled reads (docs/architecture.md §6.11): column
// fields come from the entities; the relations below say the same as the resolvers' DataLoaders, in their order.
import { sqlMany, sqlOne, sqlType } from '../core/graphql/sql-types.js';
import { CarClass } from './entities/car-class.entity.js';
import { CarModel } from './entities/car-model.entity.js';
import { Car } from './entities/car.entity.js';
import { TrackLayout } from './entities/track-layout.entity.js';
import { TrackModel } from './entities/track-model.entity.js';
import { Track } from './entities/track.entity.js';

sqlType(CarModel);
sqlType(TrackModel);
sqlType(Car, {
  fields: {
    carModel: sqlOne(CarModel, (p, a) => `car_model ${a} WHERE ${a}.id = ${p}.car_model_id`),
    classes: sqlMany(
      CarClass,
      (p, a) =>
        `car_class_car ${a}_m JOIN car_class ${a} ON ${a}.car_class_id = ${a}_m.car_class_id WHERE ${a}_m.car_id = ${p}.car_id`,
      (a) => `${a}.car_class_id`,
    ),
  },
});
sqlType(CarClass, {
  fields: {
    cars: sqlMany(
      Car,
      (p, a) =>
        `car_class_car ${a}_m JOIN sim_car ${a} ON ${a}.car_id = ${a}_m.car_id WHERE ${a}_m.car_class_id = ${p}.car_class_id`,
      (a) => `${a}.car_id`,
    ),
  },
});
sqlType(Track, {
  fields: {
    layouts: sqlMany(
      TrackLayout,
      (p, a) => `sim_layout ${a} WHERE ${a}.package_id = ${p}.package_id`,
      (a) => `${a}.track_id`,
    ),
    trackModel: sqlOne(TrackModel, (p, a) => `track_model ${a} WHERE ${a}.id = ${p}.track_model_id`),
  },
});
sqlType(TrackLayout, {
  fields: {
    track: sqlOne(Track, (p, a) => `sim_track ${a} WHERE ${a}.package_id = ${p}.package_id`),
  },
});
