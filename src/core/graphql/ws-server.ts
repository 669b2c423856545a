// The GraphQL WebSocket (graphql-ws on /graphql) gets the protections of HTTP: source nesting checked before
// parsing, the parser's token cap, validation (introspection only where the sandbox is on), the depth,
// complexity and root-field limits of checkOperation, and every error through formatError. And what only a
// socket needs: the admin key in connectionParams, subscriptions only (queries and mutations go over HTTP), a
// cap on subscriptions per socket and on sockets per client address, and the browser Origin checked at the
// upgrade against CORS_ORIGINS.
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import {
  getOperationAST,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import type {
  DocumentNode,
  ExecutionArgs,
  GraphQLFormattedError,
  GraphQLSchema,
  ValidationRule,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import type { Context, FormattedExecutionResult, ServerOptions, SubscribePayload } from 'graphql-ws';
import type { Extra } from 'graphql-ws/use/ws';
import { bearerToken, keyMatches } from '../auth/admin.guard.js';
import type { AppConfig } from '../config/app-config.js';
import { ErrorCode } from '../errors/domain-error.js';
import { formatError } from './format-error.js';
import { checkOperation, checkSourceNesting, refuse } from './limits.plugin.js';
import type { OperationLimits } from './limits.plugin.js';

/** Where the GraphQL WebSocket is served (the HTTP endpoint's path). */
const WS_PATH = '/graphql';

/** Validation rules beyond graphql's specified ones, shared by HTTP (Apollo) and the WebSocket. */
export function extraValidationRules(sandbox: boolean): ValidationRule[] {
  return sandbox ? [] : [NoSchemaIntrospectionCustomRule];
}

/** Who opened a socket. Admin keys only for now; viewer tokens will resolve to a principal of their own. */
interface SocketPrincipal {
  kind: 'admin';
}

/** The principal of a socket from its connection_init payload (`authorization: Bearer <key>`), if any. */
function resolveSocketPrincipal(
  connectionParams: Readonly<Record<string, unknown>> | undefined,
  config: AppConfig,
): SocketPrincipal | undefined {
  const header = connectionParams?.authorization ?? connectionParams?.Authorization;
  const key = bearerToken(typeof header === 'string' ? header : undefined);
  if (key && keyMatches(key, config.adminKeyHashes)) return { kind: 'admin' };
  return undefined;
}

const principals = new WeakMap<object, SocketPrincipal>();

/**
 * An origin listed in CORS_ORIGINS (config.corsOrigins is normalised: lower case, no trailing slash). The
 * literal `null` origin (sandboxed frames, files) is never listed.
 */
export function isListedOrigin(origin: string, listed: readonly string[]): boolean {
  return listed.includes(origin.trim().toLowerCase().replace(/\/+$/, ''));
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host === host.trim().toLowerCase();
  } catch {
    return false;
  }
}

const openSockets = new WeakMap<Server, Map<string, number>>();

/** Upgrade requests from each client address that hold a socket open on this server (for tests and metrics). */
export function openWebSockets(server: Server): number {
  let n = 0;
  for (const count of openSockets.get(server)?.values() ?? []) n += count;
  return n;
}

function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  socket.on('error', () => socket.destroy());
  // Ending the socket here also stops the WebSocket server's own handler, which drops sockets no longer writable.
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
  );
}

/**
 * Checks each WebSocket upgrade to WS_PATH before the WebSocket server sees it: a browser's Origin must be listed
 * in CORS_ORIGINS or be the server's own (clients without Origin, which are not browsers, pass), and one client
 * address holds at most WS_MAX_SOCKETS_PER_CLIENT sockets on this process. Refusals are HTTP answers (403,
 * 429) with a message, before any socket exists.
 */
export function guardWebSocketUpgrades(server: Server, config: AppConfig): void {
  const perClient = new Map<string, number>();
  openSockets.set(server, perClient);
  const max = config.env.WS_MAX_SOCKETS_PER_CLIENT;
  server.prependListener('upgrade', (req: IncomingMessage, socket: Duplex) => {
    if (!req.url?.startsWith(WS_PATH)) return;
    const origin = req.headers.origin;
    if (
      origin !== undefined &&
      !isListedOrigin(origin, config.corsOrigins) &&
      !sameOrigin(origin, req.headers.host)
    ) {
      refuseUpgrade(socket, 403, 'This origin may not open the GraphQL WebSocket (see CORS_ORIGINS)');
      return;
    }
    const client = req.socket.remoteAddress ?? 'unknown';
    const open = perClient.get(client) ?? 0;
    if (open >= max) {
      refuseUpgrade(
        socket,
        429,
        `Too many WebSockets from this client: at most ${max} at once (WS_MAX_SOCKETS_PER_CLIENT)`,
      );
      return;
    }
    perClient.set(client, open + 1);
    socket.once('close', () => {
      const left = (perClient.get(client) ?? 1) - 1;
      if (left > 0) perClient.set(client, left);
      else perClient.delete(client);
    });
  });
}

/** A GraphQLError of one of Apollo's request codes, as Apollo builds it for the same problem over HTTP. */
function withCode(error: GraphQLError, code: string, message = error.message): GraphQLError {
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.nodes ? undefined : error.source,
    positions: error.nodes ? undefined : error.positions,
    originalError: error.originalError ?? error,
    extensions: { ...error.extensions, code },
  });
}

/** The message graphql-js gives when it cannot pick the operation to run (Apollo passes it on over HTTP). */
function unresolvedOperation(document: DocumentNode, operationName: string | null | undefined): GraphQLError {
  const operations = document.definitions.filter((d) => d.kind === 'OperationDefinition').length;
  const message = operationName
    ? `Unknown operation named "${operationName}".`
    : operations > 1
      ? 'Must provide operation name if query contains multiple operations.'
      : 'Must provide an operation.';
  return new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } });
}

function formatOne(error: GraphQLError): GraphQLFormattedError {
  return formatError(error.toJSON(), error);
}

type WsContext = Context<Record<string, unknown> | undefined, Extra>;

/** What every subscribe message of a server is checked against. */
interface SubscribeRules {
  config: AppConfig;
  schema: () => GraphQLSchema;
  rules: ValidationRule[];
  limits: OperationLimits;
  maxSubscriptions: number;
}

/** The document of a subscribe message, parsed and validated as over HTTP, or the errors to answer with. */
function parseAndValidate(
  query: string,
  { config, rules, schema: currentSchema }: SubscribeRules,
): { document: DocumentNode; schema: GraphQLSchema } | GraphQLError[] {
  checkSourceNesting(query);
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: config.env.GRAPHQL_MAX_TOKENS });
  } catch (err) {
    if (err instanceof GraphQLError) return [withCode(err, 'GRAPHQL_PARSE_FAILED')];
    throw err;
  }
  const schema = currentSchema();
  const invalid = validate(schema, document, rules);
  if (!invalid.length) return { document, schema };
  return invalid.map((e) =>
    withCode(
      e,
      'GRAPHQL_VALIDATION_FAILED',
      // "Did you mean …?" reveals the schema: only where introspection is on (as over HTTP).
      config.sandbox ? e.message : e.message.replace(/ ?Did you mean(.+?)\?$/, ''),
    ),
  );
}

/**
 * Checks one subscribe message: an authenticated socket, room for one more subscription, then the checks of an
 * HTTP request and the limits. Answers with the errors to send, or the arguments to run the subscription with.
 */
function checkSubscribe(
  ctx: WsContext,
  payload: SubscribePayload,
  settings: SubscribeRules,
): readonly GraphQLError[] | ExecutionArgs {
  const { maxSubscriptions } = settings;
  if (!principals.has(ctx))
    return [
      new GraphQLError('A valid admin API key is required (connectionParams.authorization)', {
        extensions: { code: ErrorCode.UNAUTHENTICATED },
      }),
    ];
  // graphql-ws lists this operation among the socket's before asking.
  if (Object.keys(ctx.subscriptions).length > maxSubscriptions)
    return [
      refuse(
        `Too many subscriptions on this WebSocket: at most ${maxSubscriptions} at once (WS_MAX_SUBSCRIPTIONS); complete one first`,
      ),
    ];
  const parsed = parseAndValidate(payload.query, settings);
  if (Array.isArray(parsed)) return parsed;
  const { document, schema: s } = parsed;
  const operation = getOperationAST(document, payload.operationName);
  if (!operation) return [unresolvedOperation(document, payload.operationName)];
  checkOperation(s, document, operation, payload.variables ?? undefined, settings.limits);
  if (operation.operation !== 'subscription')
    return [
      refuse(
        `Only subscriptions are served over the WebSocket: send this ${operation.operation} as an HTTP POST to ${WS_PATH}`,
      ),
    ];
  return {
    schema: s,
    document,
    operationName: payload.operationName,
    variableValues: payload.variables,
  };
}

/** The graphql-ws options (Nest hands them to graphql-ws's useServer with the schema and the context factory). */
export function graphqlWsOptions(
  config: AppConfig,
  schema: () => GraphQLSchema,
): ServerOptions<Record<string, unknown> | undefined, Extra> & { path: string; isProd: boolean } {
  const settings: SubscribeRules = {
    config,
    schema,
    rules: [...specifiedRules, ...extraValidationRules(config.sandbox)],
    limits: { maxDepth: config.env.GRAPHQL_MAX_DEPTH, maxComplexity: config.env.GRAPHQL_MAX_COMPLEXITY },
    maxSubscriptions: config.env.WS_MAX_SUBSCRIPTIONS,
  };
  return {
    path: WS_PATH,
    // Close reasons of internal failures never carry their message, whatever NODE_ENV says.
    isProd: true,
    // The socket is authenticated once, by its connection_init payload (browsers cannot set headers on a
    // WebSocket); without a valid admin key it is closed with 4403 before any subscription.
    onConnect: (ctx: WsContext) => {
      const principal = resolveSocketPrincipal(ctx.connectionParams, config);
      if (!principal) {
        ctx.extra.socket.close(
          CloseCode.Forbidden,
          'Forbidden: connectionParams.authorization must be "Bearer <admin key>"',
        );
        return false;
      }
      principals.set(ctx, principal);
      return true;
    },
    onSubscribe: (ctx: WsContext, _id, payload) => {
      try {
        return checkSubscribe(ctx, payload, settings);
      } catch (err) {
        // A limit's refusal as it is; anything else becomes an internal error with an id (formatError).
        return [
          err instanceof GraphQLError ? err : new GraphQLError('unexpected', { originalError: err as Error }),
        ];
      }
    },
    // Errors met while a subscription runs (a resolver, a failed read) and refusals above: formatted as over HTTP.
    onNext: (_ctx, _id, _payload, _args, result): FormattedExecutionResult | void => {
      if (!result.errors?.length) return;
      return { ...result, errors: result.errors.map(formatOne) };
    },
    onError: (_ctx, _id, _payload, errors) => errors.map(formatOne),
  };
}

/** The largest message a WebSocket client may send, in bytes: the HTTP body parser's limit too (100 KB). */
export const WS_MAX_PAYLOAD_BYTES = 100 * 1024;

/**
 * Caps the size of WebSocket messages: `ws` accepts 100 MiB by default, before the socket authenticates, and
 * Nest creates its WebSocketServer without a way to pass `maxPayload`. The option is read on every upgrade,
 * so it is set on Nest's server once the GraphQL module has started it. A larger message closes the socket
 * (1009, message too big).
 */
@Injectable()
export class WebSocketPayloadLimit implements OnApplicationBootstrap {
  private readonly log = new Logger('WebSocket');

  constructor(private readonly modules: ModuleRef) {}

  onApplicationBootstrap(): void {
    const graphql = this.modules.get(GraphQLModule, { strict: false });
    const driver = graphql.graphQlAdapter as unknown as {
      _subscriptionService?: { wss?: { options: { maxPayload?: number } } };
    };
    const wss = driver._subscriptionService?.wss;
    if (!wss) {
      this.log.warn('no GraphQL WebSocket server found: its message size is not capped');
      return;
    }
    wss.options.maxPayload = WS_MAX_PAYLOAD_BYTES;
  }
}
