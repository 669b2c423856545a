// The ordered list of migrations (explicit, so the same list works from sources, the build and jest).
// After `npm run migration:generate -- src/core/database/migrations/<Name>`, add the new class here.
import type { MigrationInterface } from 'typeorm';
import { SyncProgress1795316820751 } from './1795316820751-SyncProgress.js';
import { SyncRunLiveness1795318000000 } from './1795318000000-SyncRunLiveness.js';
import { ScheduleOnly1795319200000 } from './1795319200000-ScheduleOnly.js';
import { ForecastLocalTime1795319000000 } from './1795319000000-ForecastLocalTime.js';
import { Init1795304999161 } from './1795304999161-Init.js';
import { ResultsMembers1795315488038 } from './1795315488038-ResultsMembers.js';
import { Weather1795314568847 } from './1795314568847-Weather.js';
import { Seasons1795313424720 } from './1795313424720-Seasons.js';
import { MemberMerge1795319100000 } from './1795319100000-MemberMerge.js';
import { SyncRunWarnings1795319300000 } from './1795319300000-SyncRunWarnings.js';
import { SubsessionKind1795319400000 } from './1795319400000-SubsessionKind.js';
import { AccountLinks1795319500000 } from './1795319500000-AccountLinks.js';
import { Planner1795319600000 } from './1795319600000-Planner.js';
import { SubsessionClasses1795319700000 } from './1795319700000-SubsessionClasses.js';
import { SeasonResultSplits1795319800000 } from './1795319800000-SeasonResultSplits.js';
import { NotApplicableAsNull1795319900000 } from './1795319900000-NotApplicableAsNull.js';
import { LookingBack1795320000000 } from './1795320000000-LookingBack.js';

export const MIGRATIONS: (new () => MigrationInterface)[] = [
  Init1795304999161,
  Seasons1795313424720,
  Weather1795314568847,
  ResultsMembers1795315488038,
  SyncProgress1795316820751,
  SyncRunLiveness1795318000000,
  ForecastLocalTime1795319000000,
  MemberMerge1795319100000,
  ScheduleOnly1795319200000,
  SyncRunWarnings1795319300000,
  SubsessionKind1795319400000,
  AccountLinks1795319500000,
  Planner1795319600000,
  SubsessionClasses1795319700000,
  SeasonResultSplits1795319800000,
  NotApplicableAsNull1795319900000,
  LookingBack1795320000000,
];
