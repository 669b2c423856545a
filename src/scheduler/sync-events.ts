// Live SyncRun updates across processes: whoever changes a run (the worker, the api that queued it) publishes its
// id on one Redis channel; every api process relays the ids to its `syncRunUpdated` subscribers. One subscriber
// connection per process, opened on first use.
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '../core/config/app-config.js';
import { REDIS } from '../core/redis/redis.provider.js';

type Listener = (runId: number) => void;

@Injectable()
export class SyncEvents implements OnModuleDestroy {
  private readonly log = new Logger(SyncEvents.name);
  private readonly channel: string;
  private subscriber?: Redis;
  private readonly listeners = new Set<Listener>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    config: AppConfig,
  ) {
    this.channel = `${config.env.QUEUE_PREFIX}:sync-run-updated`;
  }

  async publish(runId: number): Promise<void> {
    await this.redis.publish(this.channel, String(runId)).catch((err: unknown) => {
      this.log.warn(`could not publish the update of sync run ${runId}: ${String(err)}`);
    });
  }

  /** The ids of updated runs, as they come, until the consumer stops iterating. */
  updates(): AsyncIterableIterator<number> {
    const queue: number[] = [];
    let wake: (() => void) | undefined;
    let done = false;
    const listener: Listener = (id) => {
      queue.push(id);
      wake?.();
    };
    this.listeners.add(listener);
    const ready = this.ensureSubscribed();
    const stop = () => {
      done = true;
      this.listeners.delete(listener);
      wake?.();
    };
    const iterator: AsyncIterableIterator<number> = {
      next: async () => {
        await ready;
        while (!done && queue.length === 0) await new Promise<void>((r) => (wake = r));
        wake = undefined;
        if (done) return { value: undefined, done: true };
        return { value: queue.shift() as number, done: false };
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

  private async ensureSubscribed(): Promise<void> {
    if (this.subscriber) return;
    const sub = this.redis.duplicate();
    this.subscriber = sub;
    sub.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const id = Number(message);
      if (Number.isInteger(id)) for (const l of this.listeners) l(id);
    });
    await sub.subscribe(this.channel);
  }

  async onModuleDestroy(): Promise<void> {
    for (const l of [...this.listeners]) this.listeners.delete(l);
    await this.subscriber?.quit().catch(() => undefined);
  }
}
