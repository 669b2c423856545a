// The Bull queues of syncs: their names, the job payload (the run id only) and the job options (docs/architecture.md §4).
import type { JobOptions } from 'bull';

export const SYNC_QUEUE = 'sync';
/**
 * Syncs that act as one linked member, with their own token (docs/architecture.md §4.15): a queue of their own with
 * its own concurrency, so a wave of new links never delays the scheduled season, race guide and results syncs.
 */
export const MEMBER_SYNC_QUEUE = 'member-sync';
export const SYNC_QUEUES = [SYNC_QUEUE, MEMBER_SYNC_QUEUE] as const;
export type SyncQueueName = (typeof SYNC_QUEUES)[number];

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

/** Most ids one run takes: a longer list is split into several runs (each a job of bounded length). */
export const RUN_SPLIT_SIZE = 500;

/** `ids` in slices of at most `size`. */
export function chunks<T>(ids: readonly T[], size = RUN_SPLIT_SIZE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}

/** Rejects when `promise` takes longer than `ms` (the work itself is not cancelled). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
