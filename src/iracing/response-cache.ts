// Cached iRacing answers in Redis (docs/architecture.md §5.4): the key is the endpoint and its sorted parameters
// hashed (stable across processes and restarts), the TTL depends on the endpoint, and `refresh` bypasses it.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

const MINUTE = 60;
const HOUR = 3600;

/** Seconds an answer stays fresh, by endpoint (prefix match); unlisted endpoints are not cached. */
const CACHE_TTL_SECONDS: [string, number][] = [
  ['car/get', 24 * HOUR],
  ['carclass/get', 24 * HOUR],
  ['track/get', 24 * HOUR],
  ['series/get', 24 * HOUR],
  ['constants/', 24 * HOUR],
  ['series/seasons', HOUR],
  ['series/past_seasons', HOUR],
  ['series/season_schedule', 30 * MINUTE],
  ['season/race_guide', MINUTE],
  ['results/get', 24 * HOUR],
  ['results/lap_data', 24 * HOUR],
  ['results/season_results', 10 * MINUTE],
  ['member/', 5 * MINUTE],
  ['stats/', 5 * MINUTE],
];

function ttlFor(endpoint: string): number {
  return (
    CACHE_TTL_SECONDS.find(([p]) => endpoint === p || (p.endsWith('/') && endpoint.startsWith(p)))?.[1] ?? 0
  );
}

function cacheKey(prefix: string, endpoint: string, params: Record<string, unknown>): string {
  const sorted = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('&');
  return `${prefix}:iracing:cache:${endpoint}:${createHash('sha256').update(sorted).digest('hex').slice(0, 32)}`;
}

export class ResponseCache {
  constructor(
    private readonly redis: Redis | undefined,
    private readonly prefix: string,
  ) {}

  async get(endpoint: string, params: Record<string, unknown>): Promise<unknown> {
    if (!this.redis || ttlFor(endpoint) === 0) return undefined;
    const raw = await this.redis.get(cacheKey(this.prefix, endpoint, params));
    return raw === null ? undefined : (JSON.parse(raw) as unknown);
  }

  /** Stores `value`; `json`, when given, is its JSON text as received (stored as is, not serialised again). */
  async set(endpoint: string, params: Record<string, unknown>, value: unknown, json?: string): Promise<void> {
    const ttl = ttlFor(endpoint);
    if (!this.redis || ttl === 0) return;
    await this.redis.set(cacheKey(this.prefix, endpoint, params), json ?? JSON.stringify(value), 'EX', ttl);
  }
}
