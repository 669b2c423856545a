// One shared ioredis connection for health checks and the iRacing gateway's shared state.
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { redactUrl } from '../security/url-secrets.js';

export const REDIS = Symbol('REDIS');
export const InjectRedis = () => Inject(REDIS);

const log = new Logger('Redis');

/**
 * Logs a client's connection errors once per outage (and its recovery) instead of leaving them unhandled: an
 * 'error' event without a listener is printed by ioredis on every reconnection attempt.
 */
export function watchRedisErrors(client: Redis, url: string, name = 'Redis'): Redis {
  let down = false;
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log.error(`${name} at ${redactUrl(url)} (REDIS_URL) failed: ${redactUrl(err.message)}; reconnecting`);
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    log.log(`${name} at ${redactUrl(url)} is reachable again`);
  });
  return client;
}

export const redisProvider = {
  provide: REDIS,
  inject: [AppConfig],
  useFactory: (config: AppConfig) =>
    watchRedisErrors(
      new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 }),
      config.redisUrl,
    ),
};

@Injectable()
export class RedisShutdown implements OnApplicationShutdown {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * Waits until Redis answers PING, trying again until `timeoutMs` has passed; rejects with a message naming
 * REDIS_URL (password hidden) and the last error. Run before the application starts, so that an unreachable
 * Redis stops the process with one clear line instead of endless connection errors.
 */
export async function waitForRedis(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (let attempt = 0; ; attempt++) {
    try {
      await pingOnce(url, Math.max(50, deadline - Date.now()));
      return;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    const wait = Math.min(200 * 2 ** Math.min(attempt, 4), deadline - Date.now());
    if (wait <= 0) break;
    await new Promise((r) => setTimeout(r, wait));
  }
  throw new Error(
    `Redis at ${redactUrl(url)} (REDIS_URL) did not answer within ${timeoutMs} ms ` +
      `(REDIS_STARTUP_TIMEOUT_MS): ${redactUrl(last.replace(/\.+$/, ''))}. Start Redis or fix REDIS_URL.`,
  );
}

/** One connection and PING, given up after `timeoutMs` (a port that accepts but never answers included). */
async function pingOnce(url: string, timeoutMs: number): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: Math.min(timeoutMs, 5000),
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The connection error itself comes as an event; connect() then only says the connection is closed.
  let cause: Error | undefined;
  client.on('error', (err: Error) => (cause ??= err));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise<never>((_r, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    throw cause ?? err;
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}
