// The one place where errors become GraphQL errors: domain codes map to GraphQL codes, validation problems to
// BAD_USER_INPUT, and anything unexpected to INTERNAL_SERVER_ERROR without internals (logged with an id).
import { HttpException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { GraphQLFormattedError } from 'graphql';
import { DomainError, ErrorCode } from '../errors/domain-error.js';

const log = new Logger('GraphQL');

const HTTP_CODES: Record<number, ErrorCode> = {
  400: ErrorCode.BAD_USER_INPUT,
  401: ErrorCode.UNAUTHENTICATED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  409: ErrorCode.CONFLICT,
  503: ErrorCode.SERVICE_UNAVAILABLE,
};

/** Codes Apollo and graphql-js already assign to problems with the request itself. */
const REQUEST_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
]);

export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = (error as { originalError?: unknown })?.originalError ?? error;
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };

  if (original instanceof DomainError) {
    return {
      ...base,
      message: original.message,
      extensions: { code: original.code, ...(original.details ?? {}) },
    };
  }
  if (original instanceof HttpException) {
    const status = original.getStatus();
    const code = HTTP_CODES[status];
    if (code) {
      const response = original.getResponse();
      const detail =
        typeof response === 'object' && response !== null && 'message' in response
          ? (response as { message: unknown }).message
          : original.message;
      const message = Array.isArray(detail) ? detail.join('; ') : String(detail);
      return { ...base, message, extensions: { code } };
    }
  }
  const limit = limitHit(formatted, original);
  if (limit) return { ...base, message: limit, extensions: { code: ErrorCode.BAD_USER_INPUT } };
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && REQUEST_CODES.has(code)) {
    return { ...base, extensions: { code } };
  }
  const errorId = randomUUID();
  log.error(
    `unexpected error ${errorId} at ${formatted.path?.join('.') ?? '(request)'}: ${(original as Error)?.stack ?? String(original)}`,
  );
  return {
    ...base,
    message: `Internal server error (id ${errorId})`,
    extensions: { code: ErrorCode.INTERNAL, errorId },
  };
}

/**
 * A request stopped by a limit below GraphQL's own: the parser's token cap, or PostgreSQL's statement_timeout
 * on the api's connections. Both are the caller's to fix (ask for less), so they are BAD_USER_INPUT naming the
 * limit; null for anything else.
 */
function limitHit(formatted: GraphQLFormattedError, original: unknown): string | null {
  // graphql-js 16 spells it "more that".
  const tokens = /Document contains more th(?:an|at) (\d+) tokens/.exec(formatted.message);
  if (formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED' && tokens)
    return `Query has more than ${tokens[1]} tokens, the limit (GRAPHQL_MAX_TOKENS)`;
  const driver = (original as { driverError?: { code?: unknown; message?: unknown } } | null)?.driverError;
  const pgError = driver ?? (original as { code?: unknown; message?: unknown } | null);
  if (pgError?.code === '57014' && /statement timeout/.test(String(pgError.message)))
    return (
      'The request ran past the time limit of a database statement (API_STATEMENT_TIMEOUT_MS) and was ' +
      'cancelled: ask for less (a smaller page, fewer nested lists, a narrower filter)'
    );
  return null;
}
