// The one POST to iRacing's token endpoint (docs/architecture.md §5.1), for the system account's grants
// (iracing-auth.ts) and the racers' (iracing-oauth.ts): the form as given, the client secret masked, the answer's
// JSON handed back for the caller to judge. Only a network failure or a timeout throws here.
import { maskSecret } from '../core/security/secret-mask.js';
import { IracingUnavailableError } from './iracing.errors.js';
import { isObject } from './linked-data.js';

export const TOKEN_ENDPOINT = 'oauth2/token';

export interface TokenAnswer {
  status: number;
  ok: boolean;
  /** The answer's JSON object; empty when it was not one. */
  json: Record<string, unknown>;
}

/** The client's fields of a grant: its id, and its secret masked as iRacing expects. */
export function clientFields(clientId: string, clientSecret: string): Record<string, string> {
  return { client_id: clientId, client_secret: maskSecret(clientSecret, clientId) };
}

export async function postTokenForm(
  oauthUrl: string,
  form: Record<string, string>,
  timeoutMs: number,
): Promise<TokenAnswer> {
  let res: Response;
  try {
    res = await fetch(`${oauthUrl.replace(/\/+$/, '')}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const timeout = (err as Error).name === 'TimeoutError';
    throw new IracingUnavailableError(
      TOKEN_ENDPOINT,
      timeout ? `timeout after ${timeoutMs} ms` : 'network error',
    );
  }
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (isObject(parsed)) json = parsed;
  } catch {
    // Not JSON: the caller judges the status.
  }
  return { status: res.status, ok: res.ok, json };
}
