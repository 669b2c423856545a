// The api role's settings (GraphQL limits, the response cache, CORS, WebSockets, the api's statement timeout):
// part of the settings schema (environment.ts, which extends this class; README.md, Configuration).
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { toBool, toInt, trimmed } from './setting-decorators.js';

export class ApiEnvironment {
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  GRAPHQL_MAX_DEPTH = 12;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  GRAPHQL_MAX_COMPLEXITY = 500_000;

  /** Estimated complexity from which a query is heavy (a page of 100 whole season graphs is about 340,000). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  GRAPHQL_HEAVY_COMPLEXITY = 20000;

  /** Heavy queries one api process runs at once; more wait their turn (bounds the memory they hold). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  GRAPHQL_HEAVY_CONCURRENCY = 4;

  /**
   * The GraphQL response cache (docs/architecture.md §6.10): answers of queries kept per operation, variables,
   * requester and data version, in this process and in Redis; every sync and mutation moves the data version on.
   */
  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  GRAPHQL_CACHE = true;

  /**
   * Selection-compiled reads (docs/architecture.md §6.11): a list whose selection maps onto tables is one SQL
   * statement that builds its nodes as JSON; false answers every list through its resolvers.
   */
  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  GRAPHQL_SQL_SELECTION = true;

  /** How long a cached answer lives at most (it is dropped at once when a sync or mutation changes data). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86_400)
  GRAPHQL_CACHE_TTL_S = 60;

  /** Answers one api process keeps in memory (the tier in front of Redis); 0: Redis only. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(100_000)
  GRAPHQL_CACHE_MEMORY_ENTRIES = 500;

  /** Answers larger than this (bytes) are not cached. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  GRAPHQL_CACHE_MAX_BYTES = 4 * 1024 * 1024;

  /** Lexical tokens one GraphQL document may hold: the parser stops past it (a 1 MB query is refused cheaply). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(1_000_000)
  GRAPHQL_MAX_TOKENS = 5000;

  /**
   * Browser origins allowed to call the API (CORS) and to open its WebSocket, comma-separated
   * (`https://app.simlane.example,http://localhost:5173`); empty: no cross-origin browser access.
   */
  @IsOptional()
  @Transform(trimmed)
  @Matches(/^https?:\/\/[^\s,/]+(\s*,\s*https?:\/\/[^\s,/]+)*$/i, {
    message: 'must be a comma-separated list of origins such as https://app.example.com (no path)',
  })
  CORS_ORIGINS?: string;

  /** Subscriptions one WebSocket may hold at once. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  WS_MAX_SUBSCRIPTIONS = 20;

  /** WebSockets one client (IP address) may hold open at once on one api process. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  WS_MAX_SOCKETS_PER_CLIENT = 10;

  /** Longest a SQL statement of the api may run, in ms (PostgreSQL statement_timeout on its connections). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  API_STATEMENT_TIMEOUT_MS = 15_000;
}
