// The minimal member profiles an import needs for the people it names (the drivers of a subsession), as the
// results module asks for them. The members module owns sim_profile and provides this under PARTICIPANT_PROFILES;
// results depends on this contract in core, not on members (which sits above it).
import type { Queryable, WriteCounts } from '../database/bulk-upsert.js';

export const PARTICIPANT_PROFILES = Symbol('PARTICIPANT_PROFILES');

export interface Participant {
  cust_id: number;
  display_name?: string | null;
}

export interface ParticipantProfiles {
  /**
   * Inside the caller's transaction: inserts the missing profiles, renames the ones whose name changed, leaves
   * everything else as it is.
   */
  ensureProfiles(db: Queryable, rows: readonly Participant[]): Promise<WriteCounts>;
}
