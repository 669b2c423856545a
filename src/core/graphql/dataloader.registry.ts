// DataLoaders are built per request (never shared between requests, never request-scoped providers):
// each module registers a factory for its loader set once; the GraphQL context gets a fresh registry per
// request that builds each set lazily on first use.
import { Injectable } from '@nestjs/common';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LoaderToken<T> = abstract new (...args: any[]) => T;

export class LoaderRegistry {
  private readonly sets = new Map<LoaderToken<unknown>, unknown>();
  constructor(private readonly factories: Map<LoaderToken<unknown>, () => unknown>) {}

  get<T>(token: LoaderToken<T>): T {
    let set = this.sets.get(token) as T | undefined;
    if (!set) {
      const factory = this.factories.get(token);
      if (!factory) throw new Error(`no DataLoader factory registered for ${token.name}`);
      set = factory() as T;
      this.sets.set(token, set);
    }
    return set;
  }
}

@Injectable()
export class DataLoaderService {
  private readonly factories = new Map<LoaderToken<unknown>, () => unknown>();

  register<T>(token: LoaderToken<T>, factory: () => T): void {
    this.factories.set(token, factory);
  }

  createRegistry(): LoaderRegistry {
    return new LoaderRegistry(this.factories);
  }
}

export interface GraphQLContext {
  req: { headers: Record<string, string | string[] | undefined> };
  loaders: LoaderRegistry;
}

/** Orders loader results like the keys, one entry per key (DataLoader's contract). */
export function groupBy<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): V[][] {
  const map = new Map<K, V[]>();
  for (const r of rows) {
    const k = keyOf(r);
    const list = map.get(k);
    if (list) list.push(r);
    else map.set(k, [r]);
  }
  return keys.map((k) => map.get(k) ?? []);
}

export function indexBy<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): (V | null)[] {
  const map = new Map<K, V>();
  for (const r of rows) map.set(keyOf(r), r);
  return keys.map((k) => map.get(k) ?? null);
}

/** The rows a DataLoader's loadMany found: neither the nulls of missing keys nor the errors of failed ones. */
export function present<T>(list: (T | null | Error)[]): T[] {
  return list.filter((x): x is T => x !== null && !(x instanceof Error));
}
