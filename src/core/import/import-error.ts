// The one model of an import failure: an ImportError says whether running the unit again may succeed, which iRacing
// call caused it (endpoint, parameters, HTTP status) and whether it concerns one unit or the whole run. The
// iRacing client's errors are ImportErrors (src/iracing/iracing.errors.ts); importers throw one of their own for
// bad data or a failed dependency; the import report records it on the unit; the worker asks `isRetryable`
// whether a failed run is worth another attempt. Nothing here knows the scheduler or iRacing.
import { errorMessage } from '../errors/domain-error.js';

/** `unit`: the unit fails, the others go on. `run`: the whole run stops (iRacing maintenance, a run taken over). */
export type ImportErrorScope = 'unit' | 'run';

export interface ImportErrorDetails {
  /** Whether the same work may succeed later (an outage rather than bad data). Default: false. */
  retryable?: boolean;
  /** The iRacing endpoint whose answer caused the failure. */
  endpoint?: string;
  params?: Record<string, unknown>;
  /** The HTTP status iRacing answered with. */
  status?: number;
  scope?: ImportErrorScope;
  cause?: unknown;
}

/** What a failed unit records: its message and, when known, the iRacing call that caused it. */
export interface FailureDetails {
  message: string;
  endpoint?: string;
  params?: Record<string, unknown>;
  status?: number;
  /** Whether running the unit again later may succeed (an outage rather than bad data). */
  retryable: boolean;
  /** It failed because PostgreSQL or Redis could not be reached: the unit is run again once they are back. */
  connection?: boolean;
}

export class ImportError extends Error {
  readonly retryable: boolean;
  readonly endpoint?: string;
  readonly params?: Record<string, unknown>;
  readonly status?: number;
  readonly scope: ImportErrorScope;

  constructor(message: string, details: ImportErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.retryable = details.retryable ?? false;
    this.scope = details.scope ?? 'unit';
    if (details.endpoint !== undefined) this.endpoint = details.endpoint;
    if (details.params !== undefined) this.params = details.params;
    if (details.status !== undefined) this.status = details.status;
  }

  /** Data that cannot be imported as it is (a malformed payload, an unknown id): fails the same way every time. */
  static badData(
    endpoint: string | undefined,
    message: string,
    extra: { params?: Record<string, unknown>; cause?: unknown } = {},
  ): ImportError {
    return new ImportError(message, { endpoint, ...extra, retryable: false });
  }

  /**
   * `err` as an ImportError: an ImportError (an iRacing error too) keeps its endpoint, parameters, status,
   * retryability and scope;
   * `context` fills what `err` does not say (the endpoint whose payload a mapping failed on) and may override
   * `retryable` (a mapping error is bad data, not an outage).
   */
  static from(
    err: unknown,
    context: { endpoint?: string; params?: Record<string, unknown>; retryable?: boolean } = {},
  ): ImportError {
    if (err instanceof ImportError && context.retryable === undefined && !context.endpoint && !context.params)
      return err;
    const known = describeFailure(err);
    return new ImportError(known.message, {
      retryable: context.retryable ?? known.retryable,
      endpoint: known.endpoint ?? context.endpoint,
      params: known.params ?? context.params,
      status: known.status,
      scope: isRunScoped(err) ? 'run' : 'unit',
      cause: err,
    });
  }

  /**
   * A unit that cannot go on because a dependency it imported first failed (its season's schedule, the catalog):
   * the error names that failure's endpoint, parameters and status, and is retryable only when it was.
   * Without a cause (the dependency succeeded, yet lacks what the unit needs) it is bad data.
   */
  static causedBy(message: string, cause: FailureDetails | undefined): ImportError {
    return new ImportError(message, {
      retryable: cause?.retryable ?? false,
      endpoint: cause?.endpoint,
      params: cause?.params,
      status: cause?.status,
    });
  }
}

/** Whether an error concerns the whole run rather than one unit: the report throws it on to the worker. */
export function isRunScoped(err: unknown): boolean {
  return err instanceof ImportError && err.scope === 'run';
}

/**
 * Whether running the work again later may succeed. A lost PostgreSQL or Redis connection: yes. An ImportError
 * (an iRacing error too): as it says. Any other Error (a bug, a constraint violated by a race): yes, once more. A
 * value that is not an Error: no.
 */
export function isRetryable(err: unknown): boolean {
  if (isConnectionError(err)) return true;
  if (err instanceof ImportError) return err.retryable;
  return err instanceof Error;
}

/** The fields a failed unit records about `err`. */
export function describeFailure(err: unknown): FailureDetails {
  const connection = isConnectionError(err);
  const out: FailureDetails = { message: errorMessage(err), retryable: isRetryable(err) };
  if (err instanceof ImportError) {
    if (err.endpoint) out.endpoint = err.endpoint;
    const params = definedOnly(err.params);
    if (params) out.params = params;
    if (err.status !== undefined) out.status = err.status;
  }
  if (connection) out.connection = true;
  return out;
}

/** The parameters that were sent (an unset optional one is not), or undefined when none were. */
function definedOnly(params: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!params) return undefined;
  const out = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
  return Object.keys(out).length ? out : undefined;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** SQLSTATEs of a lost or refused PostgreSQL connection (class 08, shutdown, too many connections). */
const PG_CONNECTION_STATES = /^(08...|57P01|57P02|57P03|53300)$/;
const CONNECTION_MESSAGES =
  /Connection terminated|Connection is closed|connect ECONNREFUSED|read ECONNRESET|terminating connection|not currently accepting connections|timeout exceeded when trying to connect|Client has encountered a connection error|Reached the max retries per request limit|Stream isn't writeable|the database system is (starting up|shutting down)/i;

/**
 * Whether an error means PostgreSQL or Redis could not be reached (ECONNREFUSED, a terminated backend, ioredis
 * "Connection is closed", …): the work may succeed once they are back. iRacing's own outages (errors naming an
 * endpoint) are not: the iRacing client and the job attempts deal with them.
 */
export function isConnectionError(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 3) return false;
  const e = err as {
    code?: unknown;
    endpoint?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
  };
  if (typeof e.endpoint === 'string') return false;
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || PG_CONNECTION_STATES.test(e.code)))
    return true;
  if (typeof e.message === 'string' && CONNECTION_MESSAGES.test(e.message)) return true;
  if (Array.isArray((err as { errors?: unknown }).errors))
    return (err as { errors: unknown[] }).errors.some((x) => isConnectionError(x, depth + 1));
  return isConnectionError(e.driverError, depth + 1) || isConnectionError(e.cause, depth + 1);
}
