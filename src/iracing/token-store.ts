// Where the iRacing tokens live. With Redis, every process shares one token set, and one renewal lock, because
// refresh tokens are single-use: two processes refreshing at once would invalidate each other. The full-login
// budget is shared too. Tokens are stored, never logged.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface TokenSet {
  accessToken: string;
  accessExpiresAt: number;
  refreshToken?: string;
  refreshExpiresAt?: number;
}

export interface TokenStore {
  get(): Promise<TokenSet | undefined>;
  set(tokens: TokenSet): Promise<void>;
  /** Runs `fn` holding the renewal lock; `{ ran: false }` at once when another holder has it. */
  tryLocked<T>(fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
  /** Takes one full login from the hourly budget; false when it is spent. */
  takeLogin(perHour: number): Promise<boolean>;
}

export class MemoryTokenStore implements TokenStore {
  private tokens?: TokenSet;
  private locked = false;
  private readonly logins: number[] = [];

  async get(): Promise<TokenSet | undefined> {
    return this.tokens;
  }

  async set(tokens: TokenSet): Promise<void> {
    this.tokens = tokens;
  }

  async tryLocked<T>(fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    if (this.locked) return { ran: false };
    this.locked = true;
    try {
      return { ran: true, value: await fn() };
    } finally {
      this.locked = false;
    }
  }

  async takeLogin(perHour: number): Promise<boolean> {
    const hourAgo = Date.now() - 3_600_000;
    while (this.logins.length && this.logins[0] < hourAgo) this.logins.shift();
    if (this.logins.length >= perHour) return false;
    this.logins.push(Date.now());
    return true;
  }
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export class RedisTokenStore implements TokenStore {
  private readonly tokenKey: string;
  private readonly lockKey: string;
  private readonly loginKey: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly lockMs = 30_000,
  ) {
    this.tokenKey = `${prefix}:iracing:token`;
    this.lockKey = `${prefix}:iracing:token:lock`;
    this.loginKey = `${prefix}:iracing:logins`;
  }

  async get(): Promise<TokenSet | undefined> {
    const raw = await this.redis.get(this.tokenKey);
    return raw ? (JSON.parse(raw) as TokenSet) : undefined;
  }

  async set(tokens: TokenSet): Promise<void> {
    const ttl = Math.max((tokens.refreshExpiresAt ?? tokens.accessExpiresAt) - Date.now(), 1000);
    await this.redis.set(this.tokenKey, JSON.stringify(tokens), 'PX', ttl);
  }

  async tryLocked<T>(fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    const owner = randomUUID();
    const got = await this.redis.set(this.lockKey, owner, 'PX', this.lockMs, 'NX');
    if (got !== 'OK') return { ran: false };
    try {
      return { ran: true, value: await fn() };
    } finally {
      await this.redis.eval(RELEASE, 1, this.lockKey, owner);
    }
  }

  async takeLogin(perHour: number): Promise<boolean> {
    const now = Date.now();
    await this.redis.zremrangebyscore(this.loginKey, 0, now - 3_600_000);
    if ((await this.redis.zcard(this.loginKey)) >= perHour) return false;
    await this.redis.zadd(this.loginKey, now, `${now}:${randomUUID()}`);
    await this.redis.pexpire(this.loginKey, 3_600_000);
    return true;
  }
}
