// The results module's entities, registered by ResultsModule and by the standalone data source.
import { EventResult } from './entities/event-result.entity.js';
import { Lap } from './entities/lap.entity.js';
import { ParticipantResult, TeamResult } from './entities/participant-result.entity.js';

export const RESULTS_ENTITIES = [EventResult, TeamResult, ParticipantResult, Lap];
