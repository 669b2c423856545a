// One rate-limit budget for the whole account, shared through Redis by every process (docs/architecture.md §5.3). It
// mirrors iRacing's fixed window from the response headers (x-ratelimit-limit / -remaining / -reset) and paces the
// requests across the window instead of bursting into 429s:
// - a request is admitted while this window's count stays under a paced allowance (limit spread evenly over
//   the window, plus a small burst) and under limit minus a safety margin for requests still in flight;
// - when the window has ended and the next one is not known yet, one probe request goes first and the others
//   wait for its headers;
// - a 429 closes the window until its reset.
// Every decision is one atomic Lua script, so N processes never admit more than the budget together.
import type { Redis } from 'ioredis';

export interface RateLimitObservation {
  limit: number;
  remaining: number;
  /** Epoch ms when the window resets. */
  resetAt: number;
}

export interface Admission {
  /** Call with the response's headers (or nothing when there were none). */
  done(observed?: RateLimitObservation): Promise<void>;
}

export interface RateLimiter {
  /** Waits until a request may be sent; returns its admission and how long it waited (ms). */
  acquire(): Promise<{ admission: Admission; waitedMs: number }>;
  /** A 429: nothing more until `resetAt`. */
  rateLimited(resetAt: number | undefined): Promise<void>;
}

export interface RateLimiterOptions {
  /** Requests kept in reserve per window for requests in flight across processes. */
  margin?: number;
  /** Share of the limit that may go at once at the start of a window (the rest is paced). */
  burstShare?: number;
  /** Extra wait after a reset, for clock skew between iRacing and us (at most 2% of the window). */
  skewMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// KEYS[1] state hash, KEYS[2] probe lock. ARGV: now, margin, burstShare, skewMs, probeToken.
// Returns {0, waitMs} to wait, {1, 0} admitted, {2, 0} admitted as the probe of an unknown window.
const ACQUIRE = `
local now = tonumber(ARGV[1])
local margin = tonumber(ARGV[2])
local burstShare = tonumber(ARGV[3])
local skew = tonumber(ARGV[4])
local s = redis.call('HMGET', KEYS[1], 'limit', 'resetAt', 'count', 'windowMs', 'closed')
local limit = tonumber(s[1])
local resetAt = tonumber(s[2])
local count = tonumber(s[3]) or 0
local windowMs = tonumber(s[4])
local closed = s[5] == '1'
if windowMs and windowMs > 0 and skew > windowMs * 0.02 then skew = math.floor(windowMs * 0.02) end
if (not limit) or (not resetAt) or now >= resetAt + skew then
  if redis.call('SET', KEYS[2], ARGV[5], 'NX', 'PX', 10000) then return {2, 0} end
  return {0, 25}
end
local cap = limit - margin
if cap < 1 then cap = 1 end
if closed or count >= cap then return {0, resetAt + skew - now} end
local allowed = cap
if windowMs and windowMs > 0 then
  local start = resetAt - windowMs
  local elapsed = now - start
  if elapsed < 0 then elapsed = 0 end
  local paced = math.floor(cap * elapsed / windowMs) + math.max(1, math.floor(cap * burstShare))
  if paced < allowed then allowed = paced end
  if count >= allowed then
    local nextAt = start + math.ceil((count + 1 - math.max(1, math.floor(cap * burstShare))) * windowMs / cap)
    local wait = nextAt - now
    if wait < 5 then wait = 5 end
    return {0, wait}
  end
end
redis.call('HINCRBY', KEYS[1], 'count', 1)
return {1, 0}
`;

// KEYS[1] state hash, KEYS[2] probe lock. ARGV: limit, remaining, resetAt, sentAt, isProbe.
// A window is named by its reset time: a later reset is a new window, adopted with the server's own count;
// an earlier one (a slow answer from a past window) changes nothing.
const OBSERVE = `
local limit = tonumber(ARGV[1])
local remaining = tonumber(ARGV[2])
local resetAt = tonumber(ARGV[3])
local sentAt = tonumber(ARGV[4])
local s = redis.call('HMGET', KEYS[1], 'resetAt', 'count', 'windowMs')
local known = tonumber(s[1])
local count = tonumber(s[2]) or 0
local windowMs = tonumber(s[3]) or 0
local used = limit - remaining
if (not known) or resetAt > known then
  local w = resetAt - sentAt
  if w > windowMs then windowMs = w end
  redis.call('HSET', KEYS[1], 'limit', limit, 'resetAt', resetAt, 'count', used, 'windowMs', windowMs, 'closed', '0')
elseif resetAt == known and used > count then
  redis.call('HSET', KEYS[1], 'limit', limit, 'count', used)
end
if ARGV[5] == '1' then redis.call('DEL', KEYS[2]) end
redis.call('PEXPIRE', KEYS[1], 3600000)
return 1
`;

export class RedisRateLimiter implements RateLimiter {
  private readonly stateKey: string;
  private readonly probeKey: string;
  private readonly margin: number;
  private readonly burstShare: number;
  private readonly skewMs: number;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    options: RateLimiterOptions = {},
  ) {
    this.stateKey = `${prefix}:iracing:ratelimit`;
    this.probeKey = `${prefix}:iracing:ratelimit:probe`;
    this.margin = options.margin ?? 1;
    this.burstShare = options.burstShare ?? 0.1;
    this.skewMs = options.skewMs ?? 250;
  }

  async acquire(): Promise<{ admission: Admission; waitedMs: number }> {
    const started = Date.now();
    const token = `${process.pid}:${Math.random()}`;
    for (;;) {
      const [verdict, wait] = (await this.redis.eval(
        ACQUIRE,
        2,
        this.stateKey,
        this.probeKey,
        Date.now(),
        this.margin,
        this.burstShare,
        this.skewMs,
        token,
      )) as [number, number];
      if (verdict > 0) {
        const sentAt = Date.now();
        const probe = verdict === 2;
        return {
          waitedMs: sentAt - started,
          admission: {
            done: async (o) => {
              if (o) {
                await this.redis.eval(
                  OBSERVE,
                  2,
                  this.stateKey,
                  this.probeKey,
                  o.limit,
                  o.remaining,
                  o.resetAt,
                  sentAt,
                  probe ? '1' : '0',
                );
              } else if (probe) {
                await this.redis.del(this.probeKey);
              }
            },
          },
        };
      }
      await sleep(Math.min(Math.max(wait, 5), 60_000));
    }
  }

  async rateLimited(resetAt: number | undefined): Promise<void> {
    const until = resetAt ?? Date.now() + 60_000;
    await this.redis.hset(this.stateKey, 'resetAt', until, 'closed', '1');
  }
}

/** The same policy for one process, for tools without Redis (greedy until the window's remaining is spent). */
export class LocalRateLimiter implements RateLimiter {
  private remaining = Infinity;
  private resetAt = 0;

  async acquire(): Promise<{ admission: Admission; waitedMs: number }> {
    let waited = 0;
    if (this.remaining <= 0 && Date.now() < this.resetAt) {
      waited = this.resetAt - Date.now() + 250;
      await sleep(waited);
      this.remaining = Infinity;
    }
    this.remaining--;
    return {
      waitedMs: waited,
      admission: {
        done: async (o) => {
          if (!o) return;
          if (o.resetAt > this.resetAt) {
            this.resetAt = o.resetAt;
            this.remaining = o.remaining;
          } else {
            this.remaining = Math.min(this.remaining, o.remaining);
          }
        },
      },
    };
  }

  async rateLimited(resetAt: number | undefined): Promise<void> {
    this.remaining = 0;
    this.resetAt = resetAt ?? Date.now() + 60_000;
  }
}
