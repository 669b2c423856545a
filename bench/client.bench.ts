// `npm run bench:client`: three worker processes share one iRacing account (one Redis) against the offline
// replica with a small budget, for about a minute. Prints requests sent per allowed request (the share of the
// budget used) and the 429s the replica had to answer. Target: at least 0.95 used, zero 429s.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { DEFAULT_TEST_CREDENTIALS, OfflineReplica } from '../offline/replica.js';

const WORKERS = Number(process.env.BENCH_WORKERS ?? 3);
const LIMIT = Number(process.env.BENCH_LIMIT ?? 60);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 5000);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 60_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);

const replica = new OfflineReplica({
  dataset: { resolve: () => ({ ok: true }) },
  credentials: DEFAULT_TEST_CREDENTIALS,
  rateLimit: { limit: LIMIT, windowMs: WINDOW_MS },
});
const url = await replica.start();
const prefix = `simlane-bench-${randomUUID().slice(0, 8)}`;
console.log(
  `rate-limit benchmark: ${WORKERS} processes × ${CONCURRENCY} lanes, budget ${LIMIT} per ${WINDOW_MS / 1000} s, ` +
    `${DURATION_MS / 1000} s`,
);
const worker = fileURLToPath(new URL('./client-worker.js', import.meta.url));
const started = Date.now();
const results = await Promise.all(
  Array.from(
    { length: WORKERS },
    () =>
      new Promise<{ ok: number; failed: number; apiCalls: number; waitedMs: number }>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          [worker, url, prefix, String(DURATION_MS), String(CONCURRENCY)],
          {
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('exit', (code) =>
          code === 0
            ? resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}'))
            : reject(new Error(`worker exited ${code}`)),
        );
      }),
  ),
);
const elapsed = Date.now() - started;
await replica.stop();
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const keys = await redis.keys(`${prefix}:*`);
if (keys.length) await redis.del(...keys);
await redis.quit();

const sent = Object.values(replica.stats.dataRequests).reduce((a, b) => a + b, 0);
// The budget that was on offer: from the opening of the first window to the last request, idle gaps included.
const active = (replica.stats.lastDataAt ?? 0) - (replica.stats.firstWindowAt ?? 0);
const windows = active / WINDOW_MS;
const allowed = LIMIT * windows;
for (const [i, r] of results.entries()) {
  console.log(
    `  worker ${i + 1}: ${r.ok} ok, ${r.failed} failed, ${r.apiCalls} calls, waited ${(r.waitedMs / 1000).toFixed(1)} s in total`,
  );
}
console.log(
  `wall ${(elapsed / 1000).toFixed(1)} s (process start and login included); ` +
    `sending for ${(active / 1000).toFixed(1)} s = ${windows.toFixed(2)} windows, allowing ${allowed.toFixed(0)} requests`,
);
console.log(
  `sent ${sent} requests: ${(sent / allowed).toFixed(3)} sent per allowed request; 429 answers: ${replica.stats.rateLimited}`,
);
console.log(`token requests: ${JSON.stringify(replica.stats.tokenRequests)}`);
