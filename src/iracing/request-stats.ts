// Per-run counters of iRacing traffic (calls, rate-limit waits), carried through async calls with
// AsyncLocalStorage so the client can count for whichever SyncRun is executing without threading it around.
import { AsyncLocalStorage } from 'node:async_hooks';

export class RequestStats {
  apiCalls = 0;
  rateLimitWaitMs = 0;
  cacheHits = 0;
}

const storage = new AsyncLocalStorage<RequestStats>();

export function runWithStats<T>(stats: RequestStats, fn: () => Promise<T>): Promise<T> {
  return storage.run(stats, fn);
}

export function currentStats(): RequestStats | undefined {
  return storage.getStore();
}
