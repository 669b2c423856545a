// Rejects abusive operations before they run: depth over GRAPHQL_MAX_DEPTH (fragments followed) and estimated
// complexity over GRAPHQL_MAX_COMPLEXITY (each list field costs its page size times its children), so aliases
// and wide selections cannot multiply the work.
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { GraphQLError, Kind } from 'graphql';
import type { DocumentNode, FragmentDefinitionNode, GraphQLSchema, SelectionSetNode } from 'graphql';
import { getComplexity, simpleEstimator } from 'graphql-query-complexity';
import type { ComplexityEstimator } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE } from './pagination.js';

export function operationDepth(doc: DocumentNode, operationName?: string | null): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const depthOf = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
    if (!set) return 0;
    let max = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith('__')) continue;
        max = Math.max(max, sel.selectionSet ? 1 + depthOf(sel.selectionSet, seen) : 1);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        max = Math.max(max, depthOf(sel.selectionSet, seen));
      } else {
        const name = sel.name.value;
        if (seen.has(name)) continue;
        max = Math.max(max, depthOf(fragments.get(name)?.selectionSet, new Set([...seen, name])));
      }
    }
    return max;
  };
  let depth = 0;
  for (const d of doc.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    if (operationName && d.name?.value !== operationName) continue;
    depth = Math.max(depth, depthOf(d.selectionSet, new Set()));
  }
  return depth;
}

/** Expected size of a plain (unpaginated) list, such as a car's classes or a track's layouts. */
const PLAIN_LIST_SIZE = 10;

/**
 * A connection costs its page size times its children; a plain list its expected size times its children: the
 * field's numeric `complexity` (`@ResolveField(() => [X], { complexity: 13 })`) or PLAIN_LIST_SIZE.
 */
const pageEstimator: ComplexityEstimator = ({ args, childComplexity, field }) => {
  const typeName = String(field.type);
  const hint = field.extensions?.complexity;
  // A connection's edges are already counted by its page size.
  if (field.name === 'edges') return 1 + childComplexity;
  if (/Connection!?$/.test(typeName)) {
    const first = typeof args.first === 'number' ? args.first : DEFAULT_PAGE_SIZE;
    return 1 + Math.max(1, first) * Math.max(1, childComplexity);
  }
  if (typeName.startsWith('[')) {
    const size = typeof hint === 'number' ? hint : PLAIN_LIST_SIZE;
    return 1 + size * Math.max(1, childComplexity);
  }
  return undefined;
};

export function limitsPlugin(
  schema: () => GraphQLSchema,
  maxDepth: number,
  maxComplexity: number,
): ApolloServerPlugin {
  return {
    async requestDidStart(): Promise<GraphQLRequestListener<Record<string, unknown>>> {
      return {
        async didResolveOperation({ document, request }) {
          const depth = operationDepth(document, request.operationName);
          if (depth > maxDepth) {
            throw new GraphQLError(`Query depth ${depth} exceeds the limit of ${maxDepth}`, {
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
          }
          const complexity = getComplexity({
            schema: schema(),
            query: document,
            operationName: request.operationName ?? undefined,
            variables: request.variables ?? {},
            estimators: [pageEstimator, simpleEstimator({ defaultComplexity: 1 })],
          });
          if (complexity > maxComplexity) {
            throw new GraphQLError(`Query complexity ${complexity} exceeds the limit of ${maxComplexity}`, {
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
