// Every entity of the application, for the standalone data source and the root TypeORM connection.
import { CATALOG_ENTITIES } from '../../catalog/catalog.entities.js';
import { SyncRun } from '../../scheduler/sync-run.entity.js';
import { SEASONS_ENTITIES } from '../../seasons/seasons.entities.js';
import { WeatherForecast } from '../../weather/entities/weather-forecast.entity.js';
import { PayloadHash } from './payload-hash.entity.js';

export const ALL_ENTITIES = [PayloadHash, SyncRun, ...CATALOG_ENTITIES, ...SEASONS_ENTITIES, WeatherForecast];
