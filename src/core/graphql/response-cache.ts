// The GraphQL response cache (docs/architecture.md §6.10). Served data only changes when a sync commits or a
// mutation runs, and both move the data version on (data-version.ts); so the answer of a query is kept under its
// document, operation name, variables, requester scope and the data version, and a repeated query is answered
// from this process's memory, else from Redis, before Apollo parses anything or PostgreSQL is asked. Answers with
// errors, of mutations, or naming an operational root field (sync runs, schedules) are never kept. Public answers
// (no Authorization header) carry an ETag and `Cache-Control: public`; a matching If-None-Match gets a 304.
import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { NestMiddleware } from '@nestjs/common';
import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { Redis } from 'ioredis';
import { Kind } from 'graphql';
import type { DocumentNode, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import { bearerToken, keyMatches, sha256Hex } from '../auth/admin.guard.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { InjectRedis } from '../redis/redis.provider.js';
import { within } from '../concurrency.js';
import { DataVersion } from './data-version.js';

/** Root fields whose answers change without a data change (operations' own state): never cached. */
const NO_STORE_ROOT_FIELDS = new Set(['syncRun', 'syncRuns', 'schedules']);

/** How long a request waits for the Redis tier before it is executed instead. */
const REDIS_TIER_TIMEOUT_MS = 100;

/** Where the middleware leaves the key of a request it could not answer, for the plugin to store under. */
const CACHE_KEY = Symbol('graphqlCacheKey');

interface Entry {
  body: string;
  etag: string;
  public: boolean;
  expiresAt: number;
}

interface HttpRequest {
  method?: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  query?: unknown;
  [CACHE_KEY]?: { key: string; public: boolean; res: HttpResponse };
}

interface HttpResponse {
  statusCode: number;
  getHeader(name: string): unknown;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

/** JSON with object keys sorted: the same variables give the same key whatever their order. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

const parsed = (v: unknown): unknown => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return undefined;
  }
};

const header = (req: HttpRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

@Injectable()
export class ResponseCache {
  private readonly memory = new Map<string, Entry>();
  private readonly prefix: string;

  constructor(
    private readonly config: AppConfig,
    readonly version: DataVersion,
    private readonly metrics: MetricsService,
    @InjectRedis() private readonly redis: Redis,
  ) {
    this.prefix = `${config.env.QUEUE_PREFIX}:graphql:answer:`;
  }

  get enabled(): boolean {
    return this.config.env.GRAPHQL_CACHE;
  }

  /**
   * The requester scope and the operation of a request that may be answered from the cache, or null: a single
   * operation POSTed as JSON, or a GET that passed the CSRF rule (a preflight header), as Apollo takes them.
   */
  private describe(req: HttpRequest): { scope: string; material: string } | null {
    let params: Record<string, unknown>;
    if (req.method === 'POST') {
      if (!/^application\/json\b/i.test(header(req, 'content-type') ?? '')) return null;
      if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) return null;
      params = req.body as Record<string, unknown>;
    } else if (req.method === 'GET') {
      const preflight =
        header(req, 'apollo-require-preflight') ??
        header(req, 'x-apollo-operation-name') ??
        (/^application\/json\b/i.test(header(req, 'content-type') ?? '') ? 'json' : undefined);
      if (!preflight || !req.query || typeof req.query !== 'object') return null;
      params = req.query as Record<string, unknown>;
    } else return null;
    const extensions = parsed(params.extensions) as { persistedQuery?: { sha256Hash?: unknown } } | undefined;
    const persisted = extensions?.persistedQuery?.sha256Hash;
    // An automatic persisted query's hash is the sha256 of its document: both forms share their answers.
    const document =
      typeof params.query === 'string'
        ? sha256Hex(params.query)
        : typeof persisted === 'string' && /^[0-9a-f]{64}$/.test(persisted)
          ? persisted
          : null;
    if (!document) return null;
    const variables = parsed(params.variables);
    if (params.variables !== undefined && variables === undefined) return null;
    const operationName = typeof params.operationName === 'string' ? params.operationName : '';
    return {
      scope: this.scopeOf(header(req, 'authorization')),
      material: `${document}\n${operationName}\n${canonical(variables ?? {})}`,
    };
  }

  /** Who the answer is for: everyone, the admins, or the holder of one token (by its hash, never the token). */
  private scopeOf(authorization: string | undefined): string {
    if (authorization === undefined) return 'public';
    const token = bearerToken(authorization);
    if (token && keyMatches(token, this.config.adminKeyHashes)) return 'admin';
    return `token:${sha256Hex(authorization)}`;
  }

  /** The middleware's half: answers from a tier, or marks the request for the plugin to store its answer. */
  async handle(req: HttpRequest, res: HttpResponse): Promise<boolean> {
    const described = this.enabled ? this.describe(req) : null;
    if (!described) return false;
    const version = await this.version.current();
    if (version === null) return false;
    const key = sha256Hex(`${version}\n${described.scope}\n${described.material}`);
    const hit = await this.find(key);
    if (!hit) {
      req[CACHE_KEY] = { key, public: described.scope === 'public', res };
      return false;
    }
    this.metrics.graphqlCache.inc({ outcome: hit.tier });
    this.headers(res, hit.entry, 'HIT', res.getHeader('vary'));
    if (hit.entry.public && header(req, 'if-none-match') === hit.entry.etag) {
      res.statusCode = 304;
      res.end();
    } else {
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.statusCode = 200;
      res.end(hit.entry.body);
    }
    return true;
  }

  /** `vary`: what the response already varies on (CORS varies on Origin), kept beside Authorization. */
  private headers(
    res: { setHeader(name: string, value: string): unknown },
    entry: Entry,
    state: string,
    vary: unknown,
  ) {
    res.setHeader('x-cache', state);
    res.setHeader('etag', entry.etag);
    res.setHeader('cache-control', entry.public ? 'public, max-age=0, must-revalidate' : 'private, no-cache');
    const already = (Array.isArray(vary) ? vary.join(', ') : typeof vary === 'string' ? vary : '')
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v && v.toLowerCase() !== 'authorization');
    res.setHeader('vary', [...already, 'Authorization'].join(', '));
  }

  private async find(key: string): Promise<{ entry: Entry; tier: 'memory' | 'redis' } | null> {
    const now = Date.now();
    const local = this.memory.get(key);
    if (local && local.expiresAt > now) {
      // Most recently used last: the oldest is the first evicted.
      this.memory.delete(key);
      this.memory.set(key, local);
      return { entry: local, tier: 'memory' };
    }
    if (local) this.memory.delete(key);
    const stored = await within(this.redis.get(this.prefix + key), REDIS_TIER_TIMEOUT_MS, null);
    if (!stored) return null;
    const entry = JSON.parse(stored) as Entry;
    this.remember(key, entry);
    return { entry, tier: 'redis' };
  }

  private remember(key: string, entry: Entry): void {
    const max = this.config.env.GRAPHQL_CACHE_MEMORY_ENTRIES;
    if (max === 0) return;
    this.memory.set(key, entry);
    while (this.memory.size > max) this.memory.delete(this.memory.keys().next().value as string);
  }

  /** The plugin's half: keeps the answer of a cacheable query the middleware could not answer. */
  store(ctx: GraphQLRequestContextWillSendResponse<{ req?: HttpRequest }>): void {
    const marked = ctx.contextValue.req?.[CACHE_KEY];
    const { operation, response, document } = ctx;
    if (!marked || !operation || !document || operation.operation !== 'query') return;
    if (response.body.kind !== 'single' || response.body.singleResult.errors?.length) return;
    if (response.http.status !== undefined && response.http.status !== 200) return;
    if (rootFields(operation, document).some((f) => NO_STORE_ROOT_FIELDS.has(f))) return;
    // As Apollo writes it (a newline after the JSON), so a cached answer is byte for byte the computed one.
    const body = `${JSON.stringify(response.body.singleResult)}\n`;
    if (Buffer.byteLength(body) > this.config.env.GRAPHQL_CACHE_MAX_BYTES) return;
    const ttlMs = this.config.env.GRAPHQL_CACHE_TTL_S * 1000;
    const entry: Entry = {
      body,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      public: marked.public,
      expiresAt: Date.now() + ttlMs,
    };
    this.metrics.graphqlCache.inc({ outcome: 'miss' });
    this.headers(
      { setHeader: (n, v) => response.http.headers.set(n, v) },
      entry,
      'MISS',
      response.http.headers.get('vary') ?? marked.res.getHeader('vary'),
    );
    this.remember(marked.key, entry);
    this.redis.set(this.prefix + marked.key, JSON.stringify(entry), 'PX', ttlMs).catch(() => undefined);
  }
}

/** The root field names of an operation, through its fragments. */
function rootFields(operation: OperationDefinitionNode, document: DocumentNode): string[] {
  const names: string[] = [];
  const visit = (set: SelectionSetNode, seen: Set<string>) => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) names.push(s.name.value);
      else if (s.kind === Kind.INLINE_FRAGMENT) visit(s.selectionSet, seen);
      else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        const fragment = document.definitions.find(
          (d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === s.name.value,
        );
        if (fragment?.kind === Kind.FRAGMENT_DEFINITION) visit(fragment.selectionSet, seen);
      }
    }
  };
  visit(operation.selectionSet, new Set());
  return names;
}

/** Answers /graphql requests from the cache before Apollo sees them. */
@Injectable()
export class ResponseCacheMiddleware implements NestMiddleware {
  constructor(private readonly cache: ResponseCache) {}

  use(req: HttpRequest, res: HttpResponse, next: (err?: unknown) => void): void {
    this.cache.handle(req, res).then(
      (answered) => {
        if (!answered) next();
      },
      () => next(),
    );
  }
}

/** Stores cacheable answers; a mutation moves the data version on once it has run (its writes committed). */
export function responseCachePlugin(cache: ResponseCache): ApolloServerPlugin<{ req?: HttpRequest }> {
  return {
    requestDidStart: () =>
      Promise.resolve({
        willSendResponse: async (ctx) => {
          if (ctx.operation?.operation === 'mutation') await cache.version.changed();
          else cache.store(ctx);
        },
      }),
  };
}
