// Apollo configuration: code-first schema (sorted; printed to schema.gql by `npm run schema:generate`), the
// response cache's plugin (response-cache.ts), a fresh DataLoader registry per request, depth and complexity
// limits, errors mapped in one place, and the Apollo Sandbox landing page and introspection only where
// GRAPHQL_SANDBOX allows.
import type { ApolloDriverConfig } from '@nestjs/apollo';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import type { GraphQLSchema } from 'graphql';
import type { AppConfig } from '../config/app-config.js';
import { Semaphore } from '../concurrency.js';
import type { DataLoaderService } from './dataloader.registry.js';
import { formatError } from './format-error.js';
import { responseCachePlugin } from './response-cache.js';
import { wrapSqlTypes } from './sql-types.js';
import type { ResponseCache } from './response-cache.js';
import { checkSourceNesting, limitsPlugin } from './limits.plugin.js';
import { extraValidationRules, graphqlWsOptions } from './ws-server.js';

export function graphqlOptions(
  config: AppConfig,
  loaders: DataLoaderService,
  cache: ResponseCache,
): ApolloDriverConfig {
  let schema: GraphQLSchema | undefined;
  const currentSchema = () => {
    if (!schema) throw new Error('schema not ready');
    return schema;
  };
  return {
    autoSchemaFile: true,
    sortSchema: true,
    path: '/graphql',
    playground: false,
    // Introspection is refused by the validation rule below where the sandbox is off, the same rule as on the
    // WebSocket, so both transports answer the same error (Apollo's own rule has a message of its own).
    introspection: true,
    validationRules: extraValidationRules(config.sandbox),
    // The parser stops at this many tokens: a huge document is refused before it is held as a tree.
    parseOptions: { maxTokens: config.env.GRAPHQL_MAX_TOKENS },
    // "Did you mean …?" suggestions reveal the schema field by field: only where introspection is on.
    hideSchemaDetailsFromClientErrors: !config.sandbox,
    plugins: [
      responseCachePlugin(cache),
      // No cache hints are used (the response cache keys by data version instead): without this plugin Apollo
      // wraps every field resolver to collect them, a third of the season graph's CPU.
      ApolloServerPluginCacheControlDisabled(),
      config.sandbox
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true })
        : ApolloServerPluginLandingPageDisabled(),
      limitsPlugin(
        currentSchema,
        { maxDepth: config.env.GRAPHQL_MAX_DEPTH, maxComplexity: config.env.GRAPHQL_MAX_COMPLEXITY },
        {
          complexity: config.env.GRAPHQL_HEAVY_COMPLEXITY,
          semaphore: new Semaphore(config.env.GRAPHQL_HEAVY_CONCURRENCY),
        },
      ),
    ],
    transformSchema: (s: GraphQLSchema) => {
      schema = wrapSqlTypes(s);
      return s;
    },
    // Subscriptions over WebSocket (graphql-ws) on the same path, with the limits and error formatting of HTTP
    // (ws-server.ts). Nest passes every option through to graphql-ws's useServer, not only those it types.
    subscriptions: {
      'graphql-ws': graphqlWsOptions(config, currentSchema) as unknown as GraphQLWsSubscriptionsConfig,
    },
    context: ({
      req,
      extra,
    }: {
      req?: { body?: unknown; query?: unknown };
      extra?: { request?: unknown };
    }) => {
      // Before Apollo parses the query (POST body or GET parameters): a query nested deep enough to overflow
      // the parser is refused here.
      for (const from of [req?.body, req?.query])
        if (from && typeof from === 'object' && !Array.isArray(from))
          checkSourceNesting((from as { query?: unknown }).query);
      return { req: req ?? extra?.request, loaders: loaders.createRegistry() };
    },
    formatError,
  };
}
