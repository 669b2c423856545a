// The project's deterministic synthetic dataset, served by the offline replica at any scale.
import type { ReplicaDataset } from './datasets.js';
import { generateCatalog } from './synthetic/catalog.js';

export interface SyntheticOptions {
  seed?: number;
  scale?: number;
}

/** The synthetic dataset, generated once per replica; deterministic for a seed and scale. */
export function syntheticDataset(options: SyntheticOptions = {}): ReplicaDataset {
  const catalog = generateCatalog({ seed: options.seed ?? 1, scale: options.scale ?? 1 });
  const endpoints: Record<string, unknown> = {
    'car/get': catalog.cars,
    'carclass/get': catalog.carClasses,
    'track/get': catalog.tracks,
  };
  return { resolve: (endpoint) => endpoints[endpoint] };
}
