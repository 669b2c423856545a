// Every entity of the application, for the standalone data source and the root TypeORM connection.
import { CATALOG_ENTITIES } from '../../catalog/catalog.entities.js';
import { SyncRun } from '../../scheduler/sync-run.entity.js';
import { SEASONS_ENTITIES } from '../../seasons/seasons.entities.js';
import { MEMBERS_ENTITIES } from '../../members/members.entities.js';
import { RESULTS_ENTITIES } from '../../results/results.entities.js';
import { WeatherForecast } from '../../weather/entities/weather-forecast.entity.js';
import { SyncCheckpoint } from './checkpoint.entity.js';
import { PayloadHash } from './payload-hash.entity.js';

export const ALL_ENTITIES = [
  PayloadHash,
  SyncRun,
  ...CATALOG_ENTITIES,
  ...SEASONS_ENTITIES,
  WeatherForecast,
  ...MEMBERS_ENTITIES,
  ...RESULTS_ENTITIES,
  SyncCheckpoint,
];
