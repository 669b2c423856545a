// Rejects abusive operations before they run, on every transport (HTTP through the Apollo plugin below, the
// WebSocket through checkOperation): nesting deep enough to exhaust the parser's stack (checked on the source
// text before parsing), more lexical tokens than GRAPHQL_MAX_TOKENS (the parser's own cap, set where the
// document is parsed), depth over GRAPHQL_MAX_DEPTH, more root fields than MAX_ROOT_FIELDS (aliases of one
// lookup would multiply its statements), variables that do not fit their types (BAD_USER_INPUT, never a crash)
// and estimated complexity over GRAPHQL_MAX_COMPLEXITY (each list costs its real size times its children).
//
// Every measure is linear in the document: a fragment is measured once and its figures are reused wherever it
// is spread, so fragments that each spread the next one twice cost no more than the text they take.
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getVariableValues,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
} from 'graphql';
import type {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLField,
  GraphQLNamedType,
  GraphQLSchema,
  GraphQLType,
  OperationDefinitionNode,
  SelectionSetNode,
} from 'graphql';
import type { Semaphore } from '../concurrency.js';
import { BadInputError, DomainError } from '../errors/domain-error.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './pagination.js';

/** Root fields (aliases included) one operation may select. */
export const MAX_ROOT_FIELDS = 50;

/**
 * Nesting of braces, brackets and parentheses in the source text allowed before parsing: far above any query
 * within the depth limit, far below what overflows graphql-js's recursive parser (about a thousand levels).
 */
const MAX_SOURCE_NESTING = 100;

/** Expected size of a plain list without a size hint (a car's classes, a track's layouts). */
const PLAIN_LIST_SIZE = 10;

/**
 * What a field may say about its cost (`@ResolveField(() => [X], { complexity })`): for a list, a number is its
 * largest real size; for a single value, its own cost; a function returns the whole cost of the field from its
 * arguments and its children's cost.
 */
type ComplexityHint =
  number | ((options: { args: Record<string, unknown>; childComplexity: number }) => number);

/** The figures the limits compare: depth, root fields (aliases included) and estimated complexity. */
export interface OperationMeasure {
  depth: number;
  rootFields: number;
  complexity: number;
}

interface SetMeasure {
  depth: number;
  fields: number;
  cost: number;
}

const EMPTY: SetMeasure = { depth: 0, fields: 0, cost: 0 };

function fragmentsOf(doc: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  return fragments;
}

function unwrap(type: GraphQLType): { list: boolean; named: GraphQLNamedType } {
  let t = type;
  if (isNonNullType(t)) t = t.ofType;
  return { list: isListType(t), named: getNamedType(t) };
}

function fieldDef(parent: GraphQLNamedType | undefined, name: string, schema?: GraphQLSchema) {
  if (name === '__typename') return TypeNameMetaFieldDef;
  if (schema && parent === schema.getQueryType()) {
    if (name === '__schema') return SchemaMetaFieldDef;
    if (name === '__type') return TypeMetaFieldDef;
  }
  if (parent && (isObjectType(parent) || isInterfaceType(parent))) return parent.getFields()[name];
  return undefined;
}

/** The cost of one field given its children's cost: connections by page size, lists by their size hint. */
function fieldCost(
  def: GraphQLField<unknown, unknown> | undefined,
  args: Record<string, unknown>,
  childComplexity: number,
): number {
  if (!def) return 1 + childComplexity;
  const hint = def.extensions?.complexity as ComplexityHint | undefined;
  if (typeof hint === 'function') return hint({ args, childComplexity });
  const { list, named } = unwrap(def.type);
  // A connection's edges are already counted by its page size.
  if (def.name === 'edges') return 1 + childComplexity;
  if (named.name.endsWith('Connection')) {
    const first = typeof args.first === 'number' ? args.first : DEFAULT_PAGE_SIZE;
    // Refused as the field's validation would, before its size makes the estimate meaningless.
    if (first > MAX_PAGE_SIZE) throw new BadInputError(`first must not be greater than ${MAX_PAGE_SIZE}`);
    return 1 + Math.max(1, first) * Math.max(1, childComplexity);
  }
  if (list) {
    const size = typeof hint === 'number' ? hint : PLAIN_LIST_SIZE;
    return 1 + size * Math.max(1, childComplexity);
  }
  // A single value with a cost of its own (a count over a whole table).
  return (typeof hint === 'number' ? hint : 1) + childComplexity;
}

/**
 * One pass over a document: each selection set measured once, each fragment once (its figures depend on its type
 * condition and the variables only, both fixed for the request). Without a schema (or for fields it does not
 * know) lists cannot be recognised and every field costs 1 plus its children. Fragment cycles (refused by
 * validation anyway) count as empty.
 */
class DocumentMeasure {
  private readonly fragments: Map<string, FragmentDefinitionNode>;
  private readonly memo = new Map<string, SetMeasure>();
  private readonly inProgress = new Set<string>();

  constructor(
    doc: DocumentNode,
    private readonly schema: GraphQLSchema | undefined,
    private readonly variables: Record<string, unknown>,
  ) {
    this.fragments = fragmentsOf(doc);
  }

  private included(node: { readonly directives?: FieldNode['directives'] }): boolean {
    if (!node.directives?.length) return true;
    try {
      const skip = getDirectiveValues(GraphQLSkipDirective, node, this.variables);
      if (skip?.if === true) return false;
      const include = getDirectiveValues(GraphQLIncludeDirective, node, this.variables);
      return include?.if !== false;
    } catch {
      return true; // a directive with a bad variable: counted, and graphql-js reports it
    }
  }

  measureSet(set: SelectionSetNode | undefined, parent: GraphQLNamedType | undefined): SetMeasure {
    if (!set) return EMPTY;
    let depth = 0;
    let fields = 0;
    let cost = 0;
    for (const sel of set.selections) {
      if (!this.included(sel)) continue;
      let m: SetMeasure;
      if (sel.kind === Kind.FIELD) m = this.measureField(sel, parent);
      else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const on = sel.typeCondition ? this.schema?.getType(sel.typeCondition.name.value) : parent;
        m = this.measureSet(sel.selectionSet, on ?? undefined);
      } else m = this.measureSpread(sel.name.value);
      depth = Math.max(depth, m.depth);
      fields += m.fields;
      cost += m.cost;
    }
    return { depth, fields, cost };
  }

  private measureField(sel: FieldNode, parent: GraphQLNamedType | undefined): SetMeasure {
    const name = sel.name.value;
    const def = fieldDef(parent, name, this.schema);
    const child = sel.selectionSet
      ? this.measureSet(sel.selectionSet, def ? unwrap(def.type).named : undefined)
      : EMPTY;
    let args: Record<string, unknown> = {};
    if (def && sel.arguments?.length) {
      try {
        args = getArgumentValues(def, sel, this.variables);
      } catch {
        args = {}; // a wrong argument: graphql-js reports it before anything runs
      }
    }
    const introspection = name.startsWith('__');
    return {
      depth: introspection ? 0 : sel.selectionSet ? 1 + child.depth : 1,
      fields: introspection ? 0 : 1,
      cost: fieldCost(def, args, child.cost),
    };
  }

  private measureSpread(name: string): SetMeasure {
    const cached = this.memo.get(name);
    if (cached) return cached;
    if (this.inProgress.has(name)) return EMPTY;
    const fragment = this.fragments.get(name);
    this.inProgress.add(name);
    const m = fragment
      ? this.measureSet(
          fragment.selectionSet,
          this.schema?.getType(fragment.typeCondition.name.value) ?? undefined,
        )
      : EMPTY;
    this.inProgress.delete(name);
    this.memo.set(name, m);
    return m;
  }
}

/** Measures one operation in a single pass over the document (DocumentMeasure). */
export function measureOperation(
  doc: DocumentNode,
  operation: OperationDefinitionNode,
  schema?: GraphQLSchema,
  variables: Record<string, unknown> = {},
): OperationMeasure {
  const root =
    operation.operation === 'query'
      ? schema?.getQueryType()
      : operation.operation === 'mutation'
        ? schema?.getMutationType()
        : schema?.getSubscriptionType();
  const m = new DocumentMeasure(doc, schema, variables).measureSet(operation.selectionSet, root ?? undefined);
  return { depth: m.depth, rootFields: m.fields, complexity: m.cost };
}

/** The operations of a document that a request runs: the named one, or all of them when none is named. */
function operationsOf(doc: DocumentNode, operationName?: string | null): OperationDefinitionNode[] {
  return doc.definitions.filter(
    (d): d is OperationDefinitionNode =>
      d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
}

/** The deepest selection of the (named) operation, fragments followed; introspection fields not counted. */
export function operationDepth(doc: DocumentNode, operationName?: string | null): number {
  return Math.max(0, ...operationsOf(doc, operationName).map((op) => measureOperation(doc, op).depth));
}

/** The root fields an operation selects, through fragments (each spread counted where it is used). */
export function rootFieldCount(doc: DocumentNode, operation: OperationDefinitionNode): number {
  return measureOperation(doc, operation).rootFields;
}

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

/** A refusal of the request by a limit: BAD_USER_INPUT (HTTP 400) with the limit named in the message. */
export function refuse(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
}

/**
 * Refuses a source nested past MAX_SOURCE_NESTING. Called where the request is read (the context factory, the
 * WebSocket's onSubscribe), because Apollo treats an error thrown by a plugin before parsing as a crash.
 */
export function checkSourceNesting(source: unknown): void {
  if (typeof source !== 'string') return;
  const nesting = sourceNesting(source);
  if (nesting > MAX_SOURCE_NESTING)
    throw refuse(`Query nesting ${nesting} exceeds the limit of ${MAX_SOURCE_NESTING}`);
}

export interface OperationLimits {
  maxDepth: number;
  maxComplexity: number;
}

/**
 * Checks a parsed, validated operation against the limits; throws a BAD_USER_INPUT GraphQLError naming the
 * limit. Returns the measure (the estimated complexity decides whether a query counts as heavy).
 */
export function checkOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  rawVariables: Record<string, unknown> | undefined,
  limits: OperationLimits,
): OperationMeasure {
  // Variables that do not fit their types are the caller's mistake: named here, before the estimate (which
  // needs their values) could fail on them as if it were a crash.
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {}, {
    maxErrors: 5,
  });
  if (coerced.errors?.length) throw refuse(coerced.errors.map((e) => e.message).join('; '));
  let measure: OperationMeasure;
  try {
    measure = measureOperation(document, operation, schema, coerced.coerced ?? {});
  } catch (err) {
    // A size argument past its hard maximum, found by the field's own estimate.
    if (err instanceof DomainError) throw refuse(err.message);
    throw err;
  }
  if (measure.depth > limits.maxDepth)
    throw refuse(`Query depth ${measure.depth} exceeds the limit of ${limits.maxDepth}`);
  if (measure.rootFields > MAX_ROOT_FIELDS)
    throw refuse(
      `Query selects ${measure.rootFields} root fields (aliases included), more than the limit of ${MAX_ROOT_FIELDS}`,
    );
  if (measure.complexity > limits.maxComplexity)
    throw refuse(
      `Query complexity ${formatCost(measure.complexity)} exceeds the limit of ${limits.maxComplexity}`,
    );
  return measure;
}

function formatCost(n: number): string {
  return Number.isFinite(n) && n < 1e15 ? String(Math.round(n)) : n.toExponential(2);
}

export interface HeavyQueryLimit {
  /** Estimated complexity from which an operation counts as heavy. */
  complexity: number;
  /** Heavy operations this process runs at once; the others wait their turn. */
  semaphore: Semaphore;
}

export function limitsPlugin(
  schema: () => GraphQLSchema,
  limits: OperationLimits,
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
          const { complexity } = checkOperation(schema(), document, operation, request.variables, limits);
          heavyOperation =
            heavy !== undefined && complexity >= heavy.complexity && operation.operation === 'query';
        },
      };
    },
  };
}
