// Every entity of the application, gathered at the composition root for the root TypeORM connection and the
// standalone data source: core takes this list as a parameter and imports no feature.
import { ACCOUNTS_ENTITIES } from './accounts/accounts.entities.js';
import { CATALOG_ENTITIES } from './catalog/catalog.entities.js';
import { SyncCheckpoint } from './core/database/checkpoint.entity.js';
import { PayloadHash } from './core/database/payload-hash.entity.js';
import { MEMBERS_ENTITIES } from './members/members.entities.js';
import { PLANNER_ENTITIES } from './planner/entities/planner.entities.js';
import { RESULTS_ENTITIES } from './results/results.entities.js';
import { SyncRun } from './scheduler/sync-run.entity.js';
import { SEASONS_ENTITIES } from './seasons/seasons.entities.js';
import { ForecastHour } from './weather/entities/forecast-hour.entity.js';

export const ALL_ENTITIES = [
  PayloadHash,
  SyncRun,
  ...CATALOG_ENTITIES,
  ...SEASONS_ENTITIES,
  ForecastHour,
  ...MEMBERS_ENTITIES,
  ...RESULTS_ENTITIES,
  ...ACCOUNTS_ENTITIES,
  ...PLANNER_ENTITIES,
  SyncCheckpoint,
];
