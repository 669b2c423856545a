// GET /health: whether PostgreSQL and Redis answer (503 when either does not).
import { Controller, Get, HttpException, HttpStatus } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { InjectRedis } from '../redis/redis.provider.js';

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms))]);

@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRedis() private readonly redis: Redis,
  ) {}

  @Get()
  async health() {
    const [postgres, redis] = await Promise.all([
      within(this.db.query('SELECT 1'), 2000).then(
        () => 'up',
        () => 'down',
      ),
      within(this.redis.ping(), 2000).then(
        () => 'up',
        () => 'down',
      ),
    ]);
    const body = { status: postgres === 'up' && redis === 'up' ? 'ok' : 'error', postgres, redis };
    if (body.status !== 'ok') throw new HttpException(body, HttpStatus.SERVICE_UNAVAILABLE);
    return body;
  }
}
