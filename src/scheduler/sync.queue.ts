// The Bull queue of syncs: its name, the job payload (ids and flags only) and the job options of DESIGN §9.
import type { JobOptions } from 'bull';

export const SYNC_QUEUE = 'sync';

/** A job carries only the id of its SyncRun; everything else is read from the run. */
export interface SyncJobData {
  runId: number;
}

export const SYNC_ATTEMPTS = 3;

/** Job options: 3 attempts `backoffMs` apart (60 s by default, SYNC_BACKOFF_MS), bounded history. */
export function syncJobOptions(backoffMs: number): JobOptions {
  return {
    attempts: SYNC_ATTEMPTS,
    backoff: { type: 'fixed', delay: backoffMs },
    removeOnComplete: { count: 500 },
    removeOnFail: { count: 1000 },
  };
}
