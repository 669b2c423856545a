// Errors of the iRacing gateway. Each names the endpoint (and never a credential or token), and says
// whether trying again later can help, so job processors decide between retrying and failing at once. They are
// import errors (core/import/import-error.ts): an import failure caused by iRacing keeps its endpoint,
// parameters, status and retryability as they are.
import { ImportError } from '../core/import/import-error.js';

export abstract class IracingError extends ImportError {
  constructor(
    override readonly endpoint: string,
    message: string,
  ) {
    super(message, { endpoint });
  }
}

/** A non-retryable HTTP answer (4xx other than 401/429). */
export class IracingHttpError extends IracingError {
  override readonly retryable = false;
  constructor(
    endpoint: string,
    override readonly status: number,
    detail: string,
    /** The call's parameters (never a credential): a failed unit names them. */
    override readonly params?: Record<string, unknown>,
  ) {
    super(endpoint, `iRacing ${endpoint}${describeParams(params)} answered HTTP ${status}: ${detail}`);
  }
}

/** 5xx, timeouts, connection resets and HTML error pages, once the client's own retries are spent. */
export class IracingUnavailableError extends IracingError {
  override readonly retryable = true;
  constructor(endpoint: string, detail: string) {
    super(endpoint, `iRacing ${endpoint} is unavailable: ${detail}`);
  }
}

/**
 * iRacing answered 503 "Site Maintenance": the job should be delayed, not failed. It concerns the whole run, not
 * one unit (scope `run`): import reports throw it on to the worker.
 */
export class IracingMaintenanceError extends IracingError {
  override readonly retryable = true;
  override readonly scope = 'run';
  constructor(
    endpoint: string,
    readonly retryAfterMs: number,
  ) {
    super(endpoint, `iRacing is in maintenance (while calling ${endpoint})`);
  }
}

/** Authentication failed after the refresh and the one full login allowed. */
export class IracingAuthError extends IracingError {
  override readonly retryable = false;
  constructor(endpoint: string, detail: string) {
    super(endpoint, `iRacing authentication failed: ${detail}`);
  }
}

/** The payload does not have the shape the importers rely on. */
export class IracingPayloadError extends IracingError {
  override readonly retryable = false;
  constructor(
    endpoint: string,
    readonly path: string,
    detail: string,
  ) {
    super(endpoint, `iRacing ${endpoint} sent a malformed payload at ${path}: ${detail}`);
  }
}

function describeParams(params?: Record<string, unknown>): string {
  if (!params || Object.keys(params).length === 0) return '';
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${String(v)}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}
