// The Bull queue of syncs: its name, the job payload (ids and flags only) and the job options of DESIGN §9.
import type { JobOptions } from 'bull';

export const SYNC_QUEUE = 'sync';

/** A job carries only the id of its SyncRun; everything else is read from the run. */
export interface SyncJobData {
  runId: number;
}

export const SYNC_JOB_OPTIONS: JobOptions = {
  attempts: 3,
  backoff: { type: 'fixed', delay: 60_000 },
  removeOnComplete: { count: 500 },
  removeOnFail: { count: 1000 },
};
