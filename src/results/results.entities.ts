// The results module's entities, registered by ResultsModule and by the standalone data source.
import { Subsession } from './entities/subsession.entity.js';
import { SubsessionClass } from './entities/subsession-class.entity.js';
import { SeasonResultSplit } from './entities/season-result-split.entity.js';
import { Lap } from './entities/lap.entity.js';
import { DriverStanding, SeasonStandings } from './entities/driver-standing.entity.js';
import { WorldRecord, WorldRecordSet } from './entities/world-record.entity.js';
import { DriverResult, TeamResult } from './entities/driver-result.entity.js';

export const RESULTS_ENTITIES = [
  Subsession,
  SubsessionClass,
  SeasonResultSplit,
  TeamResult,
  DriverResult,
  Lap,
  DriverStanding,
  SeasonStandings,
  WorldRecord,
  WorldRecordSet,
];
