// Relay-style connections with keyset pagination: `first` (capped), `after` (an opaque cursor over the sort
// key and the id), `edges`, `pageInfo`, `totalCount`. The page is one statement; the count another, which a lazy
// connection runs only when `totalCount` is selected. Rows may be read as plain objects of the columns their
// GraphQL type shows (`readColumns`), so no stored payload is read or hydrated for nothing.
import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import type { Type } from '@nestjs/common';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { createHash } from 'node:crypto';
import { Kind } from 'graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { QueryFailedError } from 'typeorm';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { BadInputError } from '../errors/domain-error.js';

export const MAX_PAGE_SIZE = 100;
/** A connection's count reads every matching row (the whole calendar: hundreds of thousands): costed so. */
const TOTAL_COUNT_COMPLEXITY = 1000;
export const DEFAULT_PAGE_SIZE = 25;

@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    description: `Page size, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first?: number;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  after?: string;
}

@ObjectType()
class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field()
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true })
  startCursor: string | null;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

interface Edge<T> {
  node: T;
  cursor: string;
}

export interface ConnectionShape<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** A connection whose count is read only when asked: GraphQL awaits `totalCount` when the field is selected. */
export interface LazyConnectionShape<T> extends Omit<ConnectionShape<T>, 'totalCount'> {
  totalCount: PromiseLike<number>;
}

/** Whether the field being resolved selects `name` directly (a field inside a fragment is not seen: false). */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  return info.fieldNodes.some((f) =>
    f.selectionSet?.selections.some((s) => s.kind === Kind.FIELD && s.name.value === name),
  );
}

/** Builds `<Name>Connection` and `<Name>Edge` GraphQL types for a node type. */
export function Connection<T>(node: Type<T>, name: string): Type<ConnectionShape<T>> {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field(() => node)
    node: T;

    @Field()
    cursor: string;
  }

  @ObjectType(`${name}Connection`, { isAbstract: true })
  abstract class ConnectionType {
    @Field(() => [EdgeType])
    edges: EdgeType[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;

    @Field(() => Int, {
      complexity: TOTAL_COUNT_COMPLEXITY,
      description: 'Every node matching the filter (a count over them all: costly on large lists).',
    })
    totalCount: number;
  }
  return ConnectionType as unknown as Type<ConnectionShape<T>>;
}

type CursorValue = string | number | null;

/**
 * A cursor is base64url JSON: the sort values, preceded by the tag of the list it belongs to when given (a short
 * hash of its sort), so the cursor of another list is refused rather than read as this one's.
 */
export function encodeCursor(values: CursorValue[], list?: string): string {
  return Buffer.from(JSON.stringify(list === undefined ? values : [list, ...values])).toString('base64url');
}

function notACursor(cursor: string): BadInputError {
  return new BadInputError(`"after" is not a cursor of this list: ${cursor.slice(0, 40)}`, {
    argument: 'after',
  });
}

export function decodeCursor(cursor: string, arity: number, list?: string): CursorValue[] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    const tagged = list === undefined ? v : Array.isArray(v) && v[0] === list ? v.slice(1) : undefined;
    if (
      Array.isArray(tagged) &&
      tagged.length === arity &&
      tagged.every(
        (x) => x === null || typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)),
      )
    ) {
      return tagged as CursorValue[];
    }
  } catch {
    /* reported below */
  }
  throw notACursor(cursor);
}

/** The tag of a list's cursors: the same for every page of one sort, different between lists. */
function listTag(sort: { sortExpr: string; idExpr: string; direction?: string }): string {
  return createHash('sha256')
    .update(`${sort.sortExpr}|${sort.idExpr}|${sort.direction ?? 'ASC'}`)
    .digest('base64url')
    .slice(0, 8);
}

/** PostgreSQL's "data exception" class: a value that does not fit its column type (a forged cursor value). */
function isDataException(err: unknown): boolean {
  const code = (err as { driverError?: { code?: unknown } }).driverError?.code;
  return err instanceof QueryFailedError && typeof code === 'string' && code.startsWith('22');
}

export interface KeysetSort<T> {
  /** SQL expression of the sort key (not null), e.g. `car.name`. */
  sortExpr: string;
  /** SQL expression of the unique tie-breaker, e.g. `car.car_id`. */
  idExpr: string;
  /** The same two values read from a row. */
  values: (row: T) => [string | number, number];
  direction?: 'ASC' | 'DESC';
}

export interface PageOptions<T> {
  /** The columns read (`readColumns`): the page is plain rows of them, never hydrated. Default: the entities. */
  columns?: readonly ReadColumn[];
  /** Builds a node from a row read with `columns` (default: the row itself). */
  node?: (row: Record<string, unknown>) => T;
  /** Every join of the query is to-one: the count is count(*), not a count of distinct ids. */
  joinsToOne?: boolean;
  /** The count is wanted (`totalCount` selected): it runs beside the page instead of after it. */
  eagerCount?: boolean;
}

/** The page query: `qb`'s filters, then order, cursor and limit (one more row than asked: is there a next page). */
export function pageQuery<T>(qb: SelectQueryBuilder<ObjectLiteral>, args: PageArgs, sort: KeysetSort<T>) {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  const dir = sort.direction ?? 'ASC';
  const page = qb
    .clone()
    .orderBy(sort.sortExpr, dir)
    .addOrderBy(sort.idExpr, dir)
    .limit(first + 1);
  if (args.after) {
    const [s, id] = decodeCursor(args.after, 2, listTag(sort));
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw notACursor(args.after);
    const op = dir === 'ASC' ? '>' : '<';
    page.andWhere(`(${sort.sortExpr}, ${sort.idExpr}) ${op} (:cursorSort, :cursorId)`, {
      cursorSort: s,
      cursorId: id,
    });
  }
  return { first, page };
}

/** Runs `work` (reading a page): a value PostgreSQL cannot read as the sort key is a bad cursor. */
export async function readingCursor<R>(args: PageArgs, work: () => Promise<R>): Promise<R> {
  try {
    return await work();
  } catch (err) {
    // Only the cursor's values are not ours.
    if (args.after && isDataException(err)) throw notACursor(args.after);
    throw err;
  }
}

export function connectionOf<T>(rows: T[], first: number, args: PageArgs, sort: KeysetSort<T>) {
  const tag = listTag(sort);
  const edges = rows.slice(0, first).map((node) => ({ node, cursor: encodeCursor(sort.values(node), tag) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/**
 * The number of `qb`'s rows, counted when first awaited (a thenable: GraphQL awaits it only when `totalCount` is
 * selected; aliases of the field share the one statement). `joinsToOne`: see PageOptions.
 */
export function countRows(qb: SelectQueryBuilder<ObjectLiteral>, joinsToOne = false): PromiseLike<number> {
  const query = qb.clone();
  let count: Promise<number> | undefined;
  const run = () =>
    joinsToOne
      ? query
          .orderBy()
          .select('count(*)::int', 'n')
          .getRawOne<{ n: number }>()
          .then((r) => r?.n ?? 0)
      : query.getCount();
  return {
    then: (onFulfilled, onRejected) => (count ??= run()).then(onFulfilled, onRejected),
  };
}

/**
 * Runs a keyset-paginated query and its count together: `qb` carries the filters, this adds order, cursor and
 * limit. For callers that need the number itself; a GraphQL list uses `paginateLazily`.
 */
export async function paginate<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  args: PageArgs,
  sort: KeysetSort<T>,
): Promise<ConnectionShape<T>> {
  const { first, page } = pageQuery(qb, args, sort);
  const [rows, totalCount] = await readingCursor(args, () =>
    Promise.all([page.getMany() as Promise<T[]>, countRows(qb)]),
  );
  return { ...connectionOf(rows, first, args, sort), totalCount };
}

/**
 * One keyset page in one statement, its count left to GraphQL: `totalCount` is a thenable that runs the count
 * when awaited, which GraphQL does only when the field is selected (docs/architecture.md §6.1).
 */
export async function paginateLazily<T>(
  qb: SelectQueryBuilder<ObjectLiteral>,
  args: PageArgs,
  sort: KeysetSort<T>,
  options: PageOptions<T> = {},
): Promise<LazyConnectionShape<T>> {
  const { first, page } = pageQuery(qb, args, sort);
  const { columns, node } = options;
  const totalCount = countRows(qb, options.joinsToOne);
  // Started now, awaited by GraphQL later (a failure is reported there, not here).
  if (options.eagerCount) totalCount.then(undefined, () => undefined);
  const rows = await readingCursor(args, async () => {
    if (!columns) return (await page.getMany()) as T[];
    const raw = await selectColumns(page, columns).getRawMany<Record<string, unknown>>();
    return node ? raw.map(node) : (raw as T[]);
  });
  return { ...connectionOf(rows, first, args, sort), totalCount };
}

/** A column an object is read with: the SQL that reads it and the key of the raw row that holds it. */
export interface ReadColumn {
  sql: string;
  key: string;
  property: string;
}

/**
 * The columns of the entity behind `alias` in `qb` but those named in `omit` (stored payloads and bookkeeping no
 * GraphQL field shows), each selected as `<prefix><property>`: a raw row is then the object, never hydrated.
 */
export function readColumns(
  qb: SelectQueryBuilder<ObjectLiteral>,
  alias: string,
  omit: readonly string[],
  prefix = '',
): ReadColumn[] {
  return qb.expressionMap
    .findAliasByName(alias)
    .metadata.columns.filter((c) => !c.isVirtual && !omit.includes(c.propertyName))
    .map((c) => ({
      sql: `${qb.escape(alias)}.${qb.escape(c.databaseName)}`,
      key: prefix + c.propertyName,
      property: c.propertyName,
    }));
}

/** Makes `columns` the whole selection of `qb`. */
export function selectColumns<Q extends ObjectLiteral>(
  qb: SelectQueryBuilder<Q>,
  columns: readonly ReadColumn[],
): SelectQueryBuilder<Q> {
  qb.select([]);
  for (const c of columns) qb.addSelect(c.sql, c.key);
  return qb;
}

/** The rows of `qb` as plain objects of the columns of `alias` but `omit` (see `readColumns`). */
export function plainRows<T>(
  qb: SelectQueryBuilder<ObjectLiteral>,
  alias: string,
  omit: readonly string[],
): Promise<T[]> {
  return selectColumns(qb, readColumns(qb, alias, omit)).getRawMany<T>();
}

/** The object held by a joined row under `columns` (read with a prefix). */
export function pick<T>(row: Record<string, unknown>, columns: readonly ReadColumn[]): T {
  const out: Record<string, unknown> = {};
  for (const c of columns) out[c.property] = row[c.key];
  return out as T;
}

/**
 * The complexity of a nested list capped by a `first` argument: `first` (or `defaultSize`, the list's largest
 * real size) rows, each costing its children times `rowWeight` (a row that costs more to read and build than
 * its fields say). For `@ResolveField(() => [X], { complexity: cappedList(…) })`.
 */
export function cappedListComplexity(defaultSize: number, max: number, rowWeight = 1) {
  return ({ args, childComplexity }: { args: Record<string, unknown>; childComplexity: number }): number => {
    const first = typeof args.first === 'number' ? args.first : defaultSize;
    // Refused here, before anything runs, rather than by the field's validation once its parents were read.
    if (first > max) throw new BadInputError(`first must not be greater than ${max}`);
    if (first < 1) throw new BadInputError('first must not be less than 1');
    return 1 + first * rowWeight * Math.max(1, childComplexity);
  };
}

/**
 * Rows of a nested list, at most `first` per parent in the given order: a condition on `id` for a query builder
 * over `table` (parameters `:ids`, `:first`). Each parent's rows are read through its own index range (a LATERAL
 * subquery with LIMIT), so a small `first` reads a few rows per parent, never every row of every parent.
 */
export function perParentWindow(table: string, parentColumn: string, order: string, filter = 'TRUE'): string {
  return `id IN (SELECT w.id FROM unnest(CAST(:ids AS int[])) AS p(parent_id) CROSS JOIN LATERAL (
    SELECT id FROM ${table} WHERE ${parentColumn} = p.parent_id AND ${filter} ORDER BY ${order} LIMIT :first) w)`;
}
