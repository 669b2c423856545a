// One job being run by a worker (docs/architecture.md §4): what it has written so far, whether it still owns its
// run, and the progress it reports.
import type { Logger } from '@nestjs/common';
import { ImportError } from '../core/import/import-error.js';
import { addCounts } from '../core/import/import-report.js';
import type { EntityCounts } from '../core/import/import-report.js';
import type { ProgressSink } from '../core/import/progress.js';
import type { SyncKind } from './sync-definition.js';
import type { SyncRunRecorder } from './sync-run-recorder.js';

const PROGRESS_INTERVAL_MS = 500;

/** Every unit failed for a reason that may pass (an outage): the run is already back to QUEUED. */
export class RetryRunError extends Error {}

/** Stops the importers of an execution that no longer owns its run (scope `run`: import reports rethrow it). */
export class RunStoppedError extends ImportError {
  constructor(message: string) {
    super(message, { scope: 'run' });
  }
}

/** One job being run by this worker. */
export interface Execution {
  runId: number;
  kind: SyncKind;
  /** Owns the run while RUNNING: every write of this execution is a compare-and-set on it. */
  runner: string;
  /** Rows written by the earlier passes of this execution (units run again after a lost connection). */
  passes: EntityCounts[];
  /** Rows the current pass has committed so far. */
  live: EntityCounts;
  /** The run was closed or taken over under this execution: it stops, recording nothing. */
  lost: boolean;
  /** The worker is shutting down: the run is left to another worker. */
  abandoned: boolean;
  /** Recording its outcome: a heartbeat or progress write refused from now on is no news. */
  closing: boolean;
  abandon: () => void;
  settled: Promise<void>;
}

export function sumCounts(list: EntityCounts[]): EntityCounts {
  const out: EntityCounts = {};
  for (const counts of list) for (const [entity, c] of Object.entries(counts)) addCounts(out, entity, c);
  return out;
}

/** What the execution has written so far, for its run's record. */
export function snapshot(exec: Execution): EntityCounts {
  return sumCounts([...exec.passes, exec.live]);
}

/**
 * Writes progress (with a heartbeat and the counts so far) at most every PROGRESS_INTERVAL_MS (and at the end),
 * never holding the import back. Stops the importers once the run is no longer this execution's.
 */
export function progressSink(
  exec: Execution,
  record: SyncRunRecorder,
  markLost: () => void,
  log: Logger,
): ProgressSink {
  let last = 0;
  let pending: { done: number; total: number } | undefined;
  let writing = false;
  const flush = () => {
    if (writing || !pending) return;
    const { done, total } = pending;
    pending = undefined;
    writing = true;
    last = Date.now();
    record
      .progress(exec.runId, exec.runner, done, total, snapshot(exec))
      .then((owned) => {
        if (!owned && !exec.closing) markLost();
      })
      .catch((err: unknown) => log.warn(`progress of sync run ${exec.runId}: ${String(err)}`))
      .finally(() => {
        writing = false;
        // The last report (all units done) is never dropped behind a write in flight.
        if (pending && pending.done === pending.total) flush();
      });
  };
  return (done, total) => {
    if (exec.lost || exec.abandoned)
      throw new RunStoppedError(`sync run ${exec.runId} is no longer run by this worker`);
    pending = { done, total };
    if (done === total || Date.now() - last >= PROGRESS_INTERVAL_MS) flush();
  };
}
