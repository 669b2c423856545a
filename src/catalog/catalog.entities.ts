// The catalog's entities, registered by CatalogModule and by the standalone data source.
import { CarClassCar } from './entities/car-class-car.entity.js';
import { CarClass } from './entities/car-class.entity.js';
import { CarModel } from './entities/car-model.entity.js';
import { SimCar } from './entities/sim-car.entity.js';
import { SimLayout } from './entities/sim-layout.entity.js';
import { SimTrack } from './entities/sim-track.entity.js';
import { TrackModel } from './entities/track-model.entity.js';

export { CarClass, CarClassCar, CarModel, SimCar, SimLayout, SimTrack, TrackModel };
export const CATALOG_ENTITIES = [CarModel, SimCar, CarClass, CarClassCar, TrackModel, SimTrack, SimLayout];
