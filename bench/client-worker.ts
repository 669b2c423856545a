// One worker process of `npm run bench:client`: sends requests through IracingClient as fast as the shared
// budget allows until the deadline, then prints what it did as one JSON line.
import { Redis } from 'ioredis';
import { IracingClient } from '../src/iracing/iracing.client.js';
import { RequestStats, runWithStats } from '../src/iracing/request-stats.js';
import { replicaClientOptions } from './bench-db.js';

const [url, prefix, durationMs, concurrency] = process.argv.slice(2);
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const client = new IracingClient(undefined, { ...replicaClientOptions(url), redisPrefix: prefix }, redis);
const deadline = Date.now() + Number(durationMs);
const stats = new RequestStats();
let ok = 0;
let failed = 0;
await runWithStats(stats, async () => {
  const loop = async (lane: number) => {
    for (let i = 0; Date.now() < deadline; i++) {
      try {
        await client.data('bench/ping', { lane, i, pid: process.pid }, (v) => v, { refresh: true });
        ok++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Number(concurrency) }, (_, lane) => loop(lane)));
});
console.log(
  JSON.stringify({
    pid: process.pid,
    ok,
    failed,
    apiCalls: stats.apiCalls,
    waitedMs: Math.round(stats.rateLimitWaitMs),
  }),
);
await redis.quit();
