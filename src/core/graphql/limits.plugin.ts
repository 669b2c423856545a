// Rejects abusive operations before they run: nesting deep enough to exhaust the parser's stack (checked on the
// source text before parsing, by checkSourceNesting in the context factory), depth over GRAPHQL_MAX_DEPTH (fragments followed), more root fields than
// MAX_ROOT_FIELDS (each runs its own statements: aliases of one lookup would multiply them), variables that do
// not fit their types (reported as BAD_USER_INPUT, never as a crash) and estimated complexity over
// GRAPHQL_MAX_COMPLEXITY (each list field costs its page size times its children), so aliases and wide
// selections cannot multiply the work.
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { getVariableValues, GraphQLError, Kind } from 'graphql';
import type {
  DocumentNode,
  FragmentDefinitionNode,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
} from 'graphql';
import { getComplexity, simpleEstimator } from 'graphql-query-complexity';
import type { ComplexityEstimator } from 'graphql-query-complexity';
import type { Semaphore } from '../concurrency.js';
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

/** Root fields (aliases included) one operation may select. */
export const MAX_ROOT_FIELDS = 50;

/**
 * Nesting of braces, brackets and parentheses in the source text allowed before parsing: far above any query
 * within the depth limit, far below what overflows graphql-js's recursive parser (about a thousand levels).
 */
export const MAX_SOURCE_NESTING = 100;

/** The deepest nesting of `{`, `[` and `(` in a GraphQL source, outside strings and comments. */
export function sourceNesting(source: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '#') {
      while (i < source.length && source[i] !== '\n' && source[i] !== '\r') i++;
    } else if (c === '"') {
      if (source.startsWith('"""', i)) {
        const end = source.indexOf('"""', i + 3);
        i = end < 0 ? source.length : end + 2;
      } else {
        for (i++; i < source.length && source[i] !== '"' && source[i] !== '\n'; i++)
          if (source[i] === '\\') i++;
      }
    } else if (c === '{' || c === '[' || c === '(') {
      max = Math.max(max, ++depth);
    } else if (c === '}' || c === ']' || c === ')') {
      depth = Math.max(0, depth - 1);
    }
  }
  return max;
}

/** The root fields an operation selects, through fragments (each spread counted where it is used). */
export function rootFieldCount(doc: DocumentNode, operation: OperationDefinitionNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const count = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
    let n = 0;
    for (const sel of set?.selections ?? []) {
      if (sel.kind === Kind.FIELD) n += sel.name.value.startsWith('__') ? 0 : 1;
      else if (sel.kind === Kind.INLINE_FRAGMENT) n += count(sel.selectionSet, seen);
      else if (!seen.has(sel.name.value))
        n += count(fragments.get(sel.name.value)?.selectionSet, new Set([...seen, sel.name.value]));
    }
    return n;
  };
  return count(operation.selectionSet, new Set());
}

function refuse(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
}

/**
 * Refuses a source nested past MAX_SOURCE_NESTING. Called where the request is read (the context factory),
 * because Apollo treats an error thrown by a plugin before parsing as a crash.
 */
export function checkSourceNesting(source: unknown): void {
  if (typeof source !== 'string') return;
  const nesting = sourceNesting(source);
  if (nesting > MAX_SOURCE_NESTING)
    throw refuse(`Query nesting ${nesting} exceeds the limit of ${MAX_SOURCE_NESTING}`);
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

export interface HeavyQueryLimit {
  /** Estimated complexity from which an operation counts as heavy. */
  complexity: number;
  /** Heavy operations this process runs at once; the others wait their turn. */
  semaphore: Semaphore;
}

export function limitsPlugin(
  schema: () => GraphQLSchema,
  maxDepth: number,
  maxComplexity: number,
  heavy?: HeavyQueryLimit,
): ApolloServerPlugin {
  return {
    async requestDidStart(): Promise<GraphQLRequestListener<Record<string, unknown>>> {
      let release: (() => void) | undefined;
      let heavyOperation = false;
      return {
        // A heavy operation (a page of whole season graphs holds tens of MB while it is built) waits for one of
        // a few slots, so many clients at once queue instead of multiplying the memory held.
        async executionDidStart() {
          if (heavy && heavyOperation) release = await heavy.semaphore.acquire();
        },
        async willSendResponse() {
          release?.();
        },
        async didResolveOperation({ document, request, operation }) {
          if (!operation) return; // graphql-js reports the unknown operation
          const depth = operationDepth(document, request.operationName);
          if (depth > maxDepth) throw refuse(`Query depth ${depth} exceeds the limit of ${maxDepth}`);
          const roots = rootFieldCount(document, operation);
          if (roots > MAX_ROOT_FIELDS)
            throw refuse(
              `Query selects ${roots} root fields (aliases included), more than the limit of ${MAX_ROOT_FIELDS}`,
            );
          // Variables that do not fit their types are the caller's mistake: named here, before the estimate
          // (which needs their values) could fail on them as if it were a crash.
          const coerced = getVariableValues(
            schema(),
            operation.variableDefinitions ?? [],
            request.variables ?? {},
            { maxErrors: 5 },
          );
          if ('errors' in coerced && coerced.errors?.length)
            throw refuse(coerced.errors.map((e) => e.message).join('; '));
          const complexity = getComplexity({
            schema: schema(),
            query: document,
            operationName: request.operationName ?? undefined,
            variables: request.variables ?? {},
            estimators: [pageEstimator, simpleEstimator({ defaultComplexity: 1 })],
          });
          if (complexity > maxComplexity)
            throw refuse(`Query complexity ${complexity} exceeds the limit of ${maxComplexity}`);
          heavyOperation =
            heavy !== undefined && complexity >= heavy.complexity && operation.operation === 'query';
        },
      };
    },
  };
}
