// Progress of the sync running in this async context: importers report units done of units planned, the worker
// turns that into `SyncRun.progress` and live updates. Importers know nothing of runs or subscriptions.
import { AsyncLocalStorage } from 'node:async_hooks';

export type ProgressSink = (done: number, total: number) => void;

const storage = new AsyncLocalStorage<ProgressSink>();

export function runWithProgress<T>(sink: ProgressSink, work: () => Promise<T>): Promise<T> {
  return storage.run(sink, work);
}

/** Reports `done` of `total` units (seasons, subsessions, weeks) to the sync running here, if any. */
function reportProgress(done: number, total: number): void {
  storage.getStore()?.(done, total);
}

/** A counter over `total` units that reports each one done. */
export function progressCounter(total: number): () => void {
  let done = 0;
  reportProgress(0, total);
  return () => reportProgress(++done, total);
}
