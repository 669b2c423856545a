// Prometheus metrics (`/metrics`, prom-client). Per-process counters for what this process does (iRacing calls by
// endpoint and status, rate-limit remaining and waits, cache hits), plus collectors read at scrape time for what is
// shared by every process: sync runs by kind and status, their durations and rows written (from sync_run), and the
// queue depth (from Redis). A process without the collectors (a worker) still counts its own iRacing traffic.
import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

export type Collector = () => Promise<void>;

@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly collectors: Collector[] = [];

  readonly iracingRequests = new Counter({
    name: 'simlane_iracing_requests_total',
    help: 'iRacing API answers by endpoint and HTTP status (0: no answer).',
    labelNames: ['endpoint', 'status'],
    registers: [this.registry],
  });

  readonly rateLimitRemaining = new Gauge({
    name: 'simlane_iracing_ratelimit_remaining',
    help: "Requests left in iRacing's current rate-limit window, as last answered.",
    registers: [this.registry],
  });

  readonly rateLimitWait = new Counter({
    name: 'simlane_iracing_ratelimit_wait_seconds_total',
    help: 'Time spent waiting on the shared iRacing rate limit.',
    registers: [this.registry],
  });

  readonly cacheHits = new Counter({
    name: 'simlane_iracing_cache_hits_total',
    help: 'iRacing answers served from the Redis cache, by endpoint.',
    labelNames: ['endpoint'],
    registers: [this.registry],
  });

  readonly graphqlCache = new Counter({
    name: 'simlane_graphql_cache_total',
    help: 'GraphQL answers by response-cache outcome (memory, redis: served from that tier; miss: executed).',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  readonly syncRuns = new Gauge({
    name: 'simlane_sync_runs',
    help: 'Sync runs recorded, by kind and status (all processes).',
    labelNames: ['kind', 'status'],
    registers: [this.registry],
  });

  readonly syncDurationSum = new Gauge({
    name: 'simlane_sync_run_duration_seconds_sum',
    help: 'Total duration of finished sync runs, by kind and status.',
    labelNames: ['kind', 'status'],
    registers: [this.registry],
  });

  readonly syncDurationCount = new Gauge({
    name: 'simlane_sync_run_duration_seconds_count',
    help: 'Finished sync runs with a duration, by kind and status.',
    labelNames: ['kind', 'status'],
    registers: [this.registry],
  });

  readonly rowsWritten = new Gauge({
    name: 'simlane_sync_rows_written',
    help: 'Rows created, updated and deleted by sync runs, by kind and operation (all processes).',
    labelNames: ['kind', 'op'],
    registers: [this.registry],
  });

  readonly queueJobs = new Gauge({
    name: 'simlane_queue_jobs',
    help: 'Jobs in the sync queue, by state.',
    labelNames: ['state'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'simlane_' });
  }

  /** A reading done at each scrape (database and Redis state). */
  addCollector(collector: Collector): void {
    this.collectors.push(collector);
  }

  async scrape(): Promise<string> {
    await Promise.all(this.collectors.map((c) => c().catch(() => undefined)));
    return this.registry.metrics();
  }
}
