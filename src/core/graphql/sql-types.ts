// What SQL can build, per entity that is also a GraphQL object type (docs/architecture.md §6.11): each feature
// registers its entities and their relations here (`<feature>.sql.ts`), and the schema is wrapped so that every
// field of a registered type reads an object built by SQL by its response key. The compiler is sql-selection.ts.
import type { Type } from '@nestjs/common';
import { TypeMetadataStorage } from '@nestjs/graphql';
import { defaultFieldResolver, GraphQLObjectType } from 'graphql';
import type { GraphQLFieldResolver, GraphQLSchema } from 'graphql';

/** The key that marks an object built by SQL: not a GraphQL name, so never a response key. */
export const SQL_NODE = '$';

/**
 * A related object (or list) of type `type`: `sql(parent, alias, node)` is the SQL expression of its JSON for the
 * parent row aliased `parent`, where `node` is the JSON of one related row aliased `alias` (unique in the
 * statement; derive further aliases from it).
 */
export interface SqlRelation {
  type: Type<unknown>;
  sql: (parent: string, alias: string, node: string) => string;
}

/** A field computed from the parent row's columns, e.g. `p.race_week_num + 1`. */
export interface SqlComputed {
  computed: (parent: string) => string;
}

export interface SqlTypeOptions {
  /** Fields that are not columns of the entity: relations and computed values. */
  fields?: Record<string, SqlRelation | SqlComputed>;
}

const registry = new Map<Type<unknown>, SqlTypeOptions>();
/** Per registered GraphQL type (once the schema is built), the fields a resolver computes: never read as columns. */
const resolvedFields = new Map<string, Set<string>>();

/**
 * Registers an entity that is also a GraphQL object type: its column fields are read from its table, `fields`
 * gives the rest that SQL can build. Call at module load, beside the entity's resolvers.
 */
export function sqlType(entity: Type<unknown>, options: SqlTypeOptions = {}): void {
  registry.set(entity, options);
}

/** A to-one relation: `from(parent, alias)` is `<table> <alias> WHERE <condition>`. */
export function sqlOne(type: Type<unknown>, from: (parent: string, alias: string) => string): SqlRelation {
  return { type, sql: (p, a, node) => `(SELECT ${node} FROM ${from(p, a)} LIMIT 1)` };
}

/** A to-many relation, as a JSON array ordered by `orderBy(alias)` (an empty array when none). */
export function sqlMany(
  type: Type<unknown>,
  from: (parent: string, alias: string) => string,
  orderBy: (alias: string) => string,
): SqlRelation {
  return {
    type,
    sql: (p, a, node) =>
      `(SELECT coalesce(json_agg(${node} ORDER BY ${orderBy(a)}), '[]') FROM ${from(p, a)})`,
  };
}

/**
 * The rows of `table` whose `key` is in the parent's array `ids(parent)`, in the array's order, missing ones left
 * out (DataLoader's loadMany, then `present`).
 */
export function sqlByIds(
  type: Type<unknown>,
  table: string,
  key: string,
  ids: (parent: string) => string,
): SqlRelation {
  return {
    type,
    sql: (p, a, node) =>
      `(SELECT coalesce(json_agg(${node} ORDER BY ${a}_u.ord), '[]')
        FROM unnest(${ids(p)}) WITH ORDINALITY ${a}_u(id, ord) JOIN ${table} ${a} ON ${a}.${key} = ${a}_u.id)`,
  };
}

/**
 * A registered entity's GraphQL name, its extra fields and the fields a resolver computes (known once the schema
 * is built); undefined when it is not registered.
 */
export function sqlTypeOf(
  entity: Type<unknown>,
): { name: string; options: SqlTypeOptions; resolved: Set<string> } | undefined {
  const options = registry.get(entity);
  const name = TypeMetadataStorage.getObjectTypeMetadataByTarget(entity)?.name;
  const resolved = name === undefined ? undefined : resolvedFields.get(name);
  return options && name !== undefined && resolved ? { name, options, resolved } : undefined;
}

/**
 * Lets every field of the registered types read an object built by SQL (marked `$`) by its response key, and
 * resolve anything else as before. A DateTime arrives as the ISO 8601 text the scalar prints (isoText).
 */
export function wrapSqlTypes(schema: GraphQLSchema): GraphQLSchema {
  const names = new Set(
    [...registry.keys()].flatMap((t) => TypeMetadataStorage.getObjectTypeMetadataByTarget(t)?.name ?? []),
  );
  for (const name of names) {
    const type = schema.getType(name);
    if (!(type instanceof GraphQLObjectType)) continue;
    // Nest reads a plain @Field property with its `rootFieldResolver`; anything else is a @ResolveField.
    resolvedFields.set(
      name,
      new Set(
        Object.values(type.getFields())
          .filter((f) => f.resolve !== undefined && f.resolve.name !== 'rootFieldResolver')
          .map((f) => f.name),
      ),
    );
    for (const field of Object.values(type.getFields())) {
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
      field.resolve = (src, args, ctx, info) =>
        isSqlNode(src) ? src[info.path.key] : resolve(src, args, ctx, info);
    }
  }
  return schema;
}

function isSqlNode(src: unknown): src is Record<string | number, unknown> {
  return typeof src === 'object' && src !== null && (src as Record<string, unknown>)[SQL_NODE] === 1;
}
