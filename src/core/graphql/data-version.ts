// The data version (docs/architecture.md §6.10): one counter in Redis that every committed change of served data
// moves on: each unit a sync commits with rows written and each finished run (the worker), each GraphQL mutation
// (the response cache's plugin) and each link made or removed. The response cache keys every answer by it, so an
// answer computed before a change is never served after it, on any api process. Without Redis there is no
// version: the cache steps aside rather than risk an old answer, and a move that Redis missed is made again once
// it is back.
import { Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { InjectRedis } from '../redis/redis.provider.js';

@Injectable()
export class DataVersion {
  private readonly log = new Logger(DataVersion.name);
  private readonly key: string;
  /** A move Redis did not take: made once it is ready again. */
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
    try {
      return (await this.redis.get(this.key)) ?? '0';
    } catch {
      return null;
    }
  }

  /** Moves the version on: called after the change has committed. Never throws. */
  async changed(): Promise<void> {
    try {
      await this.redis.incr(this.key);
      this.missed = false;
    } catch (err) {
      this.missed = true;
      this.log.warn(
        `the data version could not be moved on (${String(err)}); cached answers are bypassed until it is`,
      );
    }
  }
}
