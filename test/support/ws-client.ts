// A graphql-ws client for the end-to-end tests (graphql-ws's createClient on the `ws` package): one operation
// answered as `{ data, errors }` like an HTTP request (wsRequest), or a socket kept open with several operations
// on it (wsConnect). A refused socket is answered as errors too, so specs can compare both transports: a close
// by the server (4403 …) or a refused upgrade (HTTP 403, 429) becomes one error whose extensions say so.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createClient } from 'graphql-ws';
import type { Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface WsOptions {
  /** Sent as connectionParams.authorization (`Bearer <key>`). */
  authorization?: string;
  /** The Origin header of the upgrade request, as a browser sends it. */
  origin?: string;
  /** How long to wait for an answer (default 10 s). */
  timeoutMs?: number;
}

export interface WsRequest {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

export interface WsError {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}

export interface WsResult<T = Record<string, unknown>> {
  data?: T | null;
  errors?: WsError[];
  /** Set when the server closed the socket instead of answering. */
  closed?: { code: number; reason: string };
  /** Set when the server refused the upgrade with an HTTP answer. */
  httpStatus?: number;
  /** Set when the operation completed without any result. */
  completed?: boolean;
}

/** The code a refused socket is reported with (the helper's own, named after the server's meaning). */
const CLOSE_CODES: Record<number, string> = {
  4401: 'UNAUTHENTICATED',
  4403: 'FORBIDDEN',
  4400: 'BAD_REQUEST',
};
const HTTP_CODES: Record<number, string> = { 403: 'FORBIDDEN', 429: 'TOO_MANY_REQUESTS' };

/** The ws:// URL of the app's GraphQL endpoint; the HTTP server is made to listen on 127.0.0.1 if it does not. */
export async function wsUrl(server: Server): Promise<string> {
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

/** Rejects with `what` when `promise` has not settled within `ms`. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until `condition` holds, checking on every turn of the event loop, or fails after `ms`. */
export async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not true within ${ms} ms`);
    await new Promise((r) => setImmediate(r));
  }
}

export interface WsSubscription<T> {
  /** The next event of the operation (a result, its errors, its completion or the socket's close). */
  next(timeoutMs?: number): Promise<WsResult<T>>;
  /** Stops the operation (a `complete` message to the server). */
  unsubscribe(): void;
}

export interface WsConnection {
  client: Client;
  /** Resolves on the server's connection_ack; rejects with the close when the socket closed first. */
  connected: Promise<void>;
  /** Resolves when the socket closed, with its code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  /** The HTTP status of a refused upgrade. */
  httpStatus(): number | undefined;
  subscribe<T = Record<string, unknown>>(request: WsRequest): WsSubscription<T>;
  dispose(): Promise<void>;
}

/** Opens a socket at once (not lazily) and keeps it until dispose(); no reconnection. */
export function wsConnect(url: string, options: WsOptions = {}): WsConnection {
  let status: number | undefined;
  const origin = options.origin;
  class TestSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, origin ? { origin } : {});
      this.on('error', (err: Error) => {
        const m = /Unexpected server response: (\d+)/.exec(err.message);
        if (m) status = Number(m[1]);
      });
    }
  }
  let closedWith: ((c: { code: number; reason: string }) => void) | undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (closedWith = resolve));
  let ack: (() => void) | undefined;
  let nack: ((e: unknown) => void) | undefined;
  const connected = new Promise<void>((resolve, reject) => {
    ack = resolve;
    nack = reject;
  });
  connected.catch(() => undefined);
  const client = createClient({
    url,
    webSocketImpl: TestSocket,
    connectionParams: options.authorization ? { authorization: options.authorization } : {},
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => undefined,
    on: {
      connected: () => ack?.(),
      closed: (event) => {
        const e = event as { code?: number; reason?: string };
        const info = { code: e.code ?? 0, reason: e.reason ?? '' };
        nack?.(Object.assign(new Error(`closed ${info.code} ${info.reason}`), info));
        closedWith?.(info);
      },
    },
  });

  const refusal = (err: unknown): WsResult<never> => {
    if (Array.isArray(err)) return { errors: err as WsError[] };
    const e = err as { code?: number; reason?: string; message?: string };
    const info = typeof e?.code === 'number' ? { code: e.code, reason: e.reason ?? '' } : undefined;
    // A refused upgrade reaches the client as an error event (then a 1006 close).
    if (status !== undefined)
      return {
        httpStatus: status,
        closed: info,
        errors: [
          {
            message: `WebSocket upgrade refused: HTTP ${status}`,
            extensions: { code: HTTP_CODES[status] ?? `HTTP_${status}`, transport: 'upgrade' },
          },
        ],
      };
    if (info)
      return {
        closed: info,
        errors: [
          {
            message: `WebSocket closed (${info.code}): ${info.reason}`,
            extensions: { code: CLOSE_CODES[info.code] ?? 'WEBSOCKET_CLOSED', transport: 'close' },
          },
        ],
      };
    return { errors: [{ message: String(e?.message ?? err), extensions: { code: 'WEBSOCKET_ERROR' } }] };
  };

  return {
    client,
    connected,
    closed,
    httpStatus: () => status,
    subscribe<T>(request: WsRequest): WsSubscription<T> {
      const events: WsResult<T>[] = [];
      const waiters: ((r: WsResult<T>) => void)[] = [];
      const push = (r: WsResult<T>) => {
        const w = waiters.shift();
        if (w) w(r);
        else events.push(r);
      };
      const unsubscribe = client.subscribe<T>(request, {
        next: (r) => push({ data: r.data, errors: r.errors as WsError[] | undefined }),
        error: (err) => push(refusal(err)),
        complete: () => push({ completed: true }),
      });
      return {
        next: (timeoutMs = options.timeoutMs ?? 10_000) => {
          const ready = events.shift();
          if (ready) return Promise.resolve(ready);
          return withDeadline(
            new Promise<WsResult<T>>((resolve) => waiters.push(resolve)),
            timeoutMs,
            `no answer to ${request.query.slice(0, 60)}`,
          );
        },
        unsubscribe,
      };
    },
    // Resolves once the socket is closed, so the server has let it go when the next test counts sockets.
    dispose: async () => {
      await client.dispose();
      await withDeadline(closed, 5000, 'closing the socket').catch(() => undefined);
    },
  };
}

/**
 * Sends one operation over a new socket and answers its first result or error, like an HTTP request: a
 * socket the server refuses answers one error (FORBIDDEN for a 4403 close or an HTTP 403, …).
 */
export async function wsRequest<T = Record<string, unknown>>(
  url: string,
  request: WsRequest,
  options: WsOptions = {},
): Promise<WsResult<T>> {
  const connection = wsConnect(url, options);
  try {
    const answer = await connection.subscribe<T>(request).next(options.timeoutMs ?? 10_000);
    for (const key of Object.keys(answer) as (keyof WsResult<T>)[])
      if (answer[key] === undefined) delete answer[key];
    return answer;
  } finally {
    await connection.dispose();
  }
}
