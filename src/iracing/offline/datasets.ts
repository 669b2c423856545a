// What the offline replica serves: a ReplicaDataset. This file holds the recorded one, iRacing responses from a
// folder (named like `car-get.json` for `/data/car/get`); synthetic-dataset.ts holds the generated one.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ReplicaDataset {
  /** The payload of `/data/<endpoint>` for these parameters, or undefined for a 404. */
  resolve(endpoint: string, params: URLSearchParams): unknown;
}

/** Serves `<dir>/<category>-<method>.json` for `/data/<category>/<method>`, parameters ignored. */
export function recordedDataset(dir: string): ReplicaDataset {
  const cache = new Map<string, unknown>();
  return {
    resolve(endpoint) {
      if (!cache.has(endpoint)) {
        const file = join(dir, `${endpoint.replace(/\//g, '-')}.json`);
        cache.set(
          endpoint,
          existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as unknown) : undefined,
        );
      }
      return cache.get(endpoint);
    },
  };
}
