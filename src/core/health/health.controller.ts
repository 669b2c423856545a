// GET /health: whether PostgreSQL and Redis answer (503 when either does not). PostgreSQL is asked on a
// connection of its own, outside the application's pool: a request holding every pooled connection makes the
// api slow, not the database down.
import { Controller, Get, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { AppConfig } from '../config/app-config.js';
import { InjectRedis } from '../redis/redis.provider.js';

const PROBE_TIMEOUT_MS = 2000;

const within = <T>(p: Promise<T>, ms: number) => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
};

/** One PostgreSQL connection for the health probe, opened on first use and again after it broke. */
@Injectable()
export class PostgresProbe implements OnApplicationShutdown {
  private client?: Promise<pg.Client>;

  constructor(private readonly config: AppConfig) {}

  private connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.config.databaseUrl,
      application_name: 'simlane-health',
      statement_timeout: PROBE_TIMEOUT_MS,
    });
    const forget = () => {
      if (this.client === connected) this.client = undefined;
    };
    client.on('error', forget);
    client.on('end', forget);
    const connected = client.connect().then(
      () => client,
      (err: unknown) => {
        forget();
        throw err;
      },
    );
    return connected;
  }

  async ping(): Promise<void> {
    this.client ??= this.connect();
    const client = await this.client;
    await client.query('SELECT 1');
  }

  async onApplicationShutdown(): Promise<void> {
    const client = await this.client?.catch(() => undefined);
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}

@Controller('health')
export class HealthController {
  constructor(
    private readonly postgresProbe: PostgresProbe,
    @InjectRedis() private readonly redis: Redis,
  ) {}

  @Get()
  async health() {
    const [postgres, redis] = await Promise.all([
      within(this.postgresProbe.ping(), PROBE_TIMEOUT_MS).then(
        () => 'up',
        () => 'down',
      ),
      within(this.redis.ping(), PROBE_TIMEOUT_MS).then(
        () => 'up',
        () => 'down',
      ),
    ]);
    const body = { status: postgres === 'up' && redis === 'up' ? 'ok' : 'error', postgres, redis };
    if (body.status !== 'ok') throw new HttpException(body, HttpStatus.SERVICE_UNAVAILABLE);
    return body;
  }
}
