// Relay-style connections with keyset pagination: `first` (capped), `after` (an opaque cursor over the sort
// key and the id), `edges`, `pageInfo`, `totalCount`. Two statements per connection: the page and the count.
import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import type { Type } from '@nestjs/common';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { createHash } from 'node:crypto';
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
  /** The same two values read from an entity. */
  values: (row: T) => [string | number, number];
  direction?: 'ASC' | 'DESC';
}

/** Runs a keyset-paginated query: `qb` carries the filters, this adds order, cursor and limit. */
export async function paginate<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  args: PageArgs,
  sort: KeysetSort<T>,
): Promise<ConnectionShape<T>> {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  const tag = listTag(sort);
  const countQb = qb.clone();
  const dir = sort.direction ?? 'ASC';
  const pageQb = qb
    .clone()
    .orderBy(sort.sortExpr, dir)
    .addOrderBy(sort.idExpr, dir)
    .limit(first + 1);
  if (args.after) {
    const [s, id] = decodeCursor(args.after, 2, tag);
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw notACursor(args.after);
    const op = dir === 'ASC' ? '>' : '<';
    pageQb.andWhere(`(${sort.sortExpr}, ${sort.idExpr}) ${op} (:cursorSort, :cursorId)`, {
      cursorSort: s,
      cursorId: id,
    });
  }
  let rows: T[];
  let totalCount: number;
  try {
    [rows, totalCount] = await Promise.all([pageQb.getMany(), countQb.getCount()]);
  } catch (err) {
    // Only the cursor's values are not ours: a value PostgreSQL cannot read as the sort key is a bad cursor.
    if (args.after && isDataException(err)) throw notACursor(args.after);
    throw err;
  }
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ node, cursor: encodeCursor(sort.values(node), tag) }));
  return {
    edges,
    totalCount,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
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
