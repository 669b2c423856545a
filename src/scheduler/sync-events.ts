// Live SyncRun updates across processes: whoever changes a run (the worker, the api that queued it) publishes its
// id on one Redis channel; every api process reads that run once per update, and only when one of its
// subscribers wants it, then hands the same row to all of them. One subscriber connection per process, opened on
// first use.
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import type { Repository } from 'typeorm';
import { AppConfig } from '../core/config/app-config.js';
import { REDIS } from '../core/redis/redis.provider.js';
import { SyncRun } from './sync-run.entity.js';

/** A run as read after an update, or why it could not be read (delivered as that subscriber's field error). */
export type RunUpdate = SyncRun | Error;

interface Subscriber {
  /** Only this run; every run when undefined. */
  runId?: number;
  /** Updates not yet taken, newest state per run (a slow consumer gets the latest, not a backlog). */
  pending: Map<number, RunUpdate>;
  wake?: () => void;
  done: boolean;
}

@Injectable()
export class SyncEvents implements OnModuleDestroy {
  private readonly log = new Logger(SyncEvents.name);
  private readonly channel: string;
  private subscriber?: Redis;
  private subscribed?: Promise<void>;
  private readonly subscribers = new Set<Subscriber>();
  /** Runs whose read is queued and not started: a further update of one of them needs no read of its own. */
  private readonly queued = new Set<number>();
  /** Reads one after another, so each subscriber sees a run's states in order. */
  private chain: Promise<void> = Promise.resolve();
  private runReads = 0;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    config: AppConfig,
    @InjectRepository(SyncRun) private readonly runs: Repository<SyncRun>,
  ) {
    this.channel = `${config.env.QUEUE_PREFIX}:sync-run-updated`;
  }

  async publish(runId: number): Promise<void> {
    await this.redis.publish(this.channel, String(runId)).catch((err: unknown) => {
      this.log.warn(`could not publish the update of sync run ${runId}: ${String(err)}`);
    });
  }

  /** Runs read for subscribers since this process started. */
  get reads(): number {
    return this.runReads;
  }

  /** Live subscriptions in this process. */
  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Resolves once this process listens on the channel (an update published before is not seen). */
  listening(): Promise<void> {
    return this.ensureSubscribed();
  }

  /** Each update of one run (or of every run), as read after it, until the consumer stops iterating. */
  runUpdates(runId?: number): AsyncIterableIterator<RunUpdate> {
    const sub: Subscriber = { runId, pending: new Map(), done: false };
    this.subscribers.add(sub);
    const ready = this.ensureSubscribed();
    const stop = () => {
      sub.done = true;
      this.subscribers.delete(sub);
      sub.pending.clear();
      sub.wake?.();
    };
    // A plain iterator rather than a generator: return() must end it at once, even while next() is waiting.
    const iterator: AsyncIterableIterator<RunUpdate> = {
      next: async () => {
        await ready;
        while (!sub.done && sub.pending.size === 0) await new Promise<void>((r) => (sub.wake = r));
        sub.wake = undefined;
        const first = sub.done ? undefined : sub.pending.entries().next().value;
        if (!first) return { value: undefined, done: true };
        sub.pending.delete(first[0]);
        return { value: first[1], done: false };
      },
      return: () => {
        stop();
        return Promise.resolve({ value: undefined, done: true });
      },
      throw: (err: unknown) => {
        stop();
        return Promise.reject(err);
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  private wants(sub: Subscriber, runId: number): boolean {
    return sub.runId === undefined || sub.runId === null || sub.runId === runId;
  }

  private wanted(runId: number): boolean {
    for (const s of this.subscribers) if (this.wants(s, runId)) return true;
    return false;
  }

  private onUpdate(runId: number): void {
    if (this.queued.has(runId) || !this.wanted(runId)) return;
    this.queued.add(runId);
    this.chain = this.chain.then(() => this.deliver(runId));
  }

  private async deliver(runId: number): Promise<void> {
    // From here a new update of this run queues another read: this one may have started before it.
    this.queued.delete(runId);
    if (!this.wanted(runId)) return;
    let update: RunUpdate | null;
    this.runReads++;
    try {
      update = await this.runs.findOneBy({ id: runId });
    } catch (err) {
      update = err instanceof Error ? err : new Error(String(err));
    }
    if (!update) return; // the run is gone
    for (const s of this.subscribers) {
      if (!this.wants(s, runId)) continue;
      s.pending.delete(runId); // re-inserted last: the order of the runs' latest changes
      s.pending.set(runId, update);
      s.wake?.();
    }
  }

  private ensureSubscribed(): Promise<void> {
    if (this.subscribed) return this.subscribed;
    const sub = this.redis.duplicate();
    this.subscriber = sub;
    sub.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const id = Number(message);
      if (Number.isInteger(id)) this.onUpdate(id);
    });
    this.subscribed = sub.subscribe(this.channel).then(
      () => undefined,
      (err: unknown) => {
        this.subscribed = undefined; // the next subscriber tries again
        this.subscriber = undefined;
        sub.disconnect();
        throw err;
      },
    );
    return this.subscribed;
  }

  async onModuleDestroy(): Promise<void> {
    for (const s of [...this.subscribers]) {
      s.done = true;
      s.wake?.();
    }
    this.subscribers.clear();
    await this.subscriber?.quit().catch(() => undefined);
  }
}
