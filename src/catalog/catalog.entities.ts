// The catalog's entities, registered by CatalogModule and by the standalone data source.
import { CarClassCar } from './entities/car-class-car.entity.js';
import { CarClass } from './entities/car-class.entity.js';
import { CarModel } from './entities/car-model.entity.js';
import { Car } from './entities/car.entity.js';
import { TrackLayout } from './entities/track-layout.entity.js';
import { Track } from './entities/track.entity.js';
import { TrackModel } from './entities/track-model.entity.js';

export { CarClass, CarClassCar, CarModel, Car, TrackLayout, Track, TrackModel };
export const CATALOG_ENTITIES = [CarModel, Car, CarClass, CarClassCar, TrackModel, Track, TrackLayout];
