// Errors of the iRacing gateway. Each names the endpoint (and never a credential or token), and says
// whether trying again later can help, so job processors decide between retrying and failing at once.

export abstract class IracingError extends Error {
  /** True when the same call may succeed later (outage, rate limit, maintenance). */
  abstract readonly retryable: boolean;
  constructor(
    readonly endpoint: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A non-retryable HTTP answer (4xx other than 401/429). */
export class IracingHttpError extends IracingError {
  readonly retryable = false;
  constructor(
    endpoint: string,
    readonly status: number,
    detail: string,
    params?: Record<string, unknown>,
  ) {
    super(endpoint, `iRacing ${endpoint}${describeParams(params)} answered HTTP ${status}: ${detail}`);
  }
}

/** 5xx, timeouts, connection resets and HTML error pages, once the client's own retries are spent. */
export class IracingUnavailableError extends IracingError {
  readonly retryable = true;
  constructor(endpoint: string, detail: string) {
    super(endpoint, `iRacing ${endpoint} is unavailable: ${detail}`);
  }
}

/** iRacing answered 503 "Site Maintenance": the job should be delayed, not failed. */
export class IracingMaintenanceError extends IracingError {
  readonly retryable = true;
  /** Maintenance concerns the whole run, not one unit: importers let it reach the worker, which delays the job. */
  readonly scope = 'run';
  constructor(
    endpoint: string,
    readonly retryAfterMs: number,
  ) {
    super(endpoint, `iRacing is in maintenance (while calling ${endpoint})`);
  }
}

/** Authentication failed after the refresh and the one full login allowed. */
export class IracingAuthError extends IracingError {
  readonly retryable = false;
  constructor(endpoint: string, detail: string) {
    super(endpoint, `iRacing authentication failed: ${detail}`);
  }
}

/** The payload does not have the shape the importers rely on. */
export class IracingPayloadError extends IracingError {
  readonly retryable = false;
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
