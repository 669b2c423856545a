// Relay-style connections with keyset pagination: `first` (capped), `after` (an opaque cursor over the sort
// key and the id), `edges`, `pageInfo`, `totalCount`. Two statements per connection: the page and the count.
import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import type { Type } from '@nestjs/common';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { BadInputError } from '../errors/domain-error.js';

export const MAX_PAGE_SIZE = 100;
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
export class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field()
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true })
  startCursor: string | null;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

export interface Edge<T> {
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

    @Field(() => Int)
    totalCount: number;
  }
  return ConnectionType as unknown as Type<ConnectionShape<T>>;
}

type CursorValue = string | number | null;

export function encodeCursor(values: CursorValue[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): CursorValue[] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(v) &&
      v.length === arity &&
      v.every((x) => x === null || typeof x === 'string' || typeof x === 'number')
    ) {
      return v as CursorValue[];
    }
  } catch {
    /* reported below */
  }
  throw new BadInputError(`"after" is not a cursor of this list: ${cursor.slice(0, 40)}`);
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
  const countQb = qb.clone();
  const dir = sort.direction ?? 'ASC';
  const pageQb = qb
    .clone()
    .orderBy(sort.sortExpr, dir)
    .addOrderBy(sort.idExpr, dir)
    .limit(first + 1);
  if (args.after) {
    const [s, id] = decodeCursor(args.after, 2);
    const op = dir === 'ASC' ? '>' : '<';
    pageQb.andWhere(`(${sort.sortExpr}, ${sort.idExpr}) ${op} (:cursorSort, :cursorId)`, {
      cursorSort: s,
      cursorId: id,
    });
  }
  const [rows, totalCount] = await Promise.all([pageQb.getMany(), countQb.getCount()]);
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ node, cursor: encodeCursor(sort.values(node)) }));
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
