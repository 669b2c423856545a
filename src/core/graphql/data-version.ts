// The data version (docs/architecture.md §6.10): one counter in Redis that every committed change of served data
// moves on: each unit a sync commits with rows written and each finished run (the worker), each GraphQL mutation
// (the response cache's plugin) and each link made or removed. The response cache keys every answer by it, so an
// answer computed before a change is never served after it, on any api process. Without Redis (down, or too slow
// to answer) there is no version: the cache steps aside rather than risk an old answer, and a move that Redis
// missed is made again once it is back. Nothing here waits long on Redis: a request or a run never hangs on it.
import { Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { within } from '../concurrency.js';
import { InjectRedis } from '../redis/redis.provider.js';

/** How long a request waits for Redis to tell the version: past it, the request is answered without the cache. */
const READ_TIMEOUT_MS = 100;
/** How long a change waits for Redis to take the move; the command still lands when a slow Redis answers. */
const MOVE_TIMEOUT_MS = 1000;

@Injectable()
export class DataVersion {
  private readonly log = new Logger(DataVersion.name);
  private readonly key: string;
  /** A move Redis did not take: made once it is ready again; until then this process serves nothing cached. */
  private missed = false;

  constructor(
    config: AppConfig,
    @InjectRedis() private readonly redis: Redis,
  ) {
    this.key = `${config.env.QUEUE_PREFIX}:graphql:data-version`;
    redis.on('ready', () => {
      if (this.missed) void this.changed();
    });
  }

  /** The current version, or null when Redis cannot tell (then nothing may be served from a cache). */
  async current(): Promise<string | null> {
    if (this.redis.status !== 'ready' || this.missed) return null;
    const version = await within(this.redis.get(this.key), READ_TIMEOUT_MS, undefined);
    return version === undefined ? null : (version ?? '0');
  }

  /** Moves the version on: called after the change has committed. Never throws, never waits past a second. */
  async changed(): Promise<void> {
    if (this.redis.status !== 'ready') {
      this.missed = true;
      return;
    }
    const moved = await within(
      this.redis.incr(this.key).then(() => true),
      MOVE_TIMEOUT_MS,
      false,
    );
    this.missed = !moved;
    if (!moved)
      this.log.warn(
        `the data version could not be moved on within ${MOVE_TIMEOUT_MS} ms; this process serves nothing cached until it is`,
      );
  }
}
