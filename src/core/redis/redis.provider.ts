// One shared ioredis connection for health checks and the iRacing gateway's shared state.
import { Inject, Injectable } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';

export const REDIS = Symbol('REDIS');
export const InjectRedis = () => Inject(REDIS);

export const redisProvider = {
  provide: REDIS,
  inject: [AppConfig],
  useFactory: (config: AppConfig) =>
    new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 }),
};

@Injectable()
export class RedisShutdown implements OnApplicationShutdown {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
