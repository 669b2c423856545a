// Domain errors carry a code; the GraphQL layer maps each code to one GraphQL error code in one place
// (core/graphql/format-error.ts). Messages must never contain credentials or tokens.

export enum ErrorCode {
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  /** A dependency (the job queue's Redis) is unreachable: nothing was lost, try again later. */
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  INTERNAL = 'INTERNAL_SERVER_ERROR',
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadInputError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(ErrorCode.BAD_USER_INPUT, message, details);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, id: string | number) {
    super(ErrorCode.NOT_FOUND, `${what} ${id} was not found`, { what, id });
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = 'A valid admin API key is required (Authorization: Bearer <key>)') {
    super(ErrorCode.UNAUTHENTICATED, message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(ErrorCode.FORBIDDEN, message, details);
  }
}

export class ServiceUnavailableError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(ErrorCode.SERVICE_UNAVAILABLE, message, details);
  }
}

/** A short message of any thrown value, for logs and SyncRun errors (never a stack). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && 'message' in err) return String(err.message);
  return String(err);
}
