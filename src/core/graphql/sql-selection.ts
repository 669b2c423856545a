// Selection-compiled reads (docs/architecture.md §6.11): a list query whose whole selection maps onto tables is
// answered by one SQL statement that builds each node as JSON in PostgreSQL, with exactly the fields asked for,
// its to-one and to-many relations as correlated subqueries and the count beside the page when `totalCount` is
// selected. Nothing is hydrated and no field resolver runs: the nodes carry the marker key `$` (never a GraphQL
// name), and every field of a registered type reads such a node by its response key (`wrapSqlTypes`). A
// selection with anything the map does not cover (a field computed in TypeScript, arguments, an abstract type)
// is answered by the resolvers as before, so the two paths give the same answer (test/e2e/sql-selection). What SQL
// can build, and the schema's wrapping, are in sql-types.ts.
import { Injectable, Logger } from '@nestjs/common';
import type { Type } from '@nestjs/common';
import { TypeMetadataStorage } from '@nestjs/graphql';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  getDirectiveValues,
  getNamedType,
  GraphQLIncludeDirective,
  GraphQLObjectType,
  GraphQLSkipDirective,
  Kind,
} from 'graphql';
import type { FieldNode, GraphQLResolveInfo, SelectionNode } from 'graphql';
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { DataSource, QueryFailedError } from 'typeorm';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import type { KeysetSort, LazyConnectionShape, PageArgs } from './pagination.js';
import { connectionOf, countRows, pageQuery, readingCursor } from './pagination.js';
import { SQL_NODE, sqlTypeOf } from './sql-types.js';
import type { SqlComputed, SqlRelation } from './sql-types.js';

/** A timestamptz as the DateTime scalar prints it (`2026-11-19T15:00:00.000Z`), so no Date is made for it. */
const isoText = (expr: string) => `to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const isTime = (type: unknown) =>
  type === 'timestamptz' || type === 'timestamp with time zone' || type === Date;

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

interface CompiledType {
  name: string;
  table: string;
  /** GraphQL field → the SQL of its column for a row alias. */
  columns: Map<string, (alias: string) => string>;
  fields: Record<string, SqlRelation | SqlComputed>;
  primary: string;
}

/** Where the compiler meets something it does not map: the resolvers answer instead. */
class NotCovered extends Error {}

const MAX_PAIRS = 50; // json_build_object takes at most 100 arguments
/** Plans kept per field of a parsed document (distinct arguments and variables). */
const PLANS_PER_FIELD = 64;

/** A page's statement, ready to run. */
interface Plan {
  sql: string;
  params: unknown[];
  first: number;
}

/** Distinct compiled texts one process prepares (each on every pool connection that runs it). */
const PREPARED_MAX = 200;

@Injectable()
export class SqlSelection {
  /** Off (`GRAPHQL_SQL_SELECTION=false`): every list is answered by its resolvers. */
  enabled: boolean;
  private readonly logger = new Logger(SqlSelection.name);
  private readonly types = new Map<Type<unknown>, CompiledType>();
  /** Per field of a parsed document, its plans by arguments and variables (oldest first). */
  private readonly plans = new WeakMap<FieldNode, Map<string, Plan | null>>();
  /** The compiled texts run as named prepared statements, and their names. */
  private readonly prepared = new Map<string, string>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    config: AppConfig,
  ) {
    this.enabled = config.env.GRAPHQL_SQL_SELECTION;
  }

  /**
   * A keyset page of `entity` (the root of the list's query, whose primary key is `sort.idExpr`) answered from the
   * selection of the connection field being resolved, or null when the selection is not covered. `query` builds
   * the list's filtered query; it runs only when this field, arguments and variables have no plan yet.
   */
  async page<T>(
    info: GraphQLResolveInfo,
    entity: Type<T>,
    args: PageArgs,
    sort: KeysetSort<T>,
    query: () => SelectQueryBuilder<ObjectLiteral>,
    options: {
      joinsToOne?: boolean;
      /** False when the query's parameters may change for the same arguments (the clock, stored data). */
      reuse?: boolean;
    } = {},
  ): Promise<LazyConnectionShape<T> | null> {
    if (!this.enabled) return null;
    const plan = this.plan(info, entity, args, sort, query, options);
    if (!plan) return null;
    const rows = await readingCursor(
      args,
      () =>
        this.run(plan.sql, plan.params) as Promise<{ k: unknown; id: number | null; n: T; total?: number }[]>,
    );
    // An empty page with its count is one row of nulls but the count.
    const found = rows.filter((r) => r.id !== null);
    const keys = new Map(
      found.map((r) => [r.n, [cursorValue(r.k), r.id as number] as [string | number, number]]),
    );
    const connection = connectionOf(
      found.map((r) => r.n),
      plan.first,
      args,
      { ...sort, values: (n: T) => keys.get(n) as [string | number, number] },
    );
    const total = rows[0]?.total;
    // Counted in the statement when selected; otherwise never awaited (GraphQL reads only selected fields).
    const counted: PromiseLike<number> = {
      then: (ok, failed) =>
        (total === undefined ? countRows(query(), options.joinsToOne) : Promise.resolve(total)).then(
          ok,
          failed,
        ),
    };
    return { ...connection, totalCount: counted };
  }

  /**
   * The statement of a page, kept per field of a parsed document (Apollo keeps one parsed document per query text)
   * and per arguments and variables, PLANS_PER_FIELD of each at most: a repeated query builds no SQL. Null when
   * the selection is not covered.
   */
  private plan<T>(
    info: GraphQLResolveInfo,
    entity: Type<T>,
    args: PageArgs,
    sort: KeysetSort<T>,
    query: () => SelectQueryBuilder<ObjectLiteral>,
    { joinsToOne = false, reuse = true }: { joinsToOne?: boolean; reuse?: boolean },
  ): Plan | null {
    const field = info.fieldNodes[0];
    let plans = this.plans.get(field);
    if (!plans) this.plans.set(field, (plans = new Map()));
    const key = JSON.stringify([info.fieldNodes.length, args, info.variableValues]);
    const known = reuse ? plans.get(key) : undefined;
    if (known !== undefined) return known;
    const selected = this.selection(info, entity);
    let plan: Plan | null = null;
    if (selected) {
      const qb = query();
      const { first, page } = pageQuery(qb, args, sort);
      plan = { ...this.statement(entity, qb, page, sort, selected, joinsToOne), first };
    }
    if (!reuse) return plan;
    if (plans.size >= PLANS_PER_FIELD) plans.delete(plans.keys().next().value as string);
    plans.set(key, plan);
    return plan;
  }

  /**
   * Runs a compiled statement as a named prepared statement (its text is sent and planned once per connection,
   * then only bound), up to PREPARED_MAX distinct texts per process; any further text runs unnamed, so a client
   * inventing selections cannot grow every connection's set of prepared statements without bound.
   */
  private async run(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    let name = this.prepared.get(sql);
    if (name === undefined && this.prepared.size < PREPARED_MAX) {
      name = `simlane_sel_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
      this.prepared.set(sql, name);
    }
    const pool = (this.db.driver as unknown as { master: Pool }).master;
    try {
      const result = await pool.query({ name, text: sql, values: params });
      return result.rows as Record<string, unknown>[];
    } catch (err) {
      // As TypeORM reports a failed statement, for the callers that read its PostgreSQL code.
      throw new QueryFailedError(sql, params, err as Error);
    }
  }

  /** The JSON of the selected node and whether `totalCount` is selected; null when not covered. */
  private selection(
    info: GraphQLResolveInfo,
    entity: Type<unknown>,
  ): { node: string; withCount: boolean } | null {
    let withCount = false;
    try {
      const nodeFields: FieldNode[] = [];
      const connectionType = getNamedType(info.returnType);
      if (!(connectionType instanceof GraphQLObjectType)) throw new NotCovered('not a connection');
      const edgeType = getNamedType(connectionType.getFields().edges?.type);
      if (!edgeType) throw new NotCovered('not a connection');
      for (const [, fields] of collect(info.fieldNodes, info, connectionType.name)) {
        const name = fields[0].name.value;
        if (name === 'totalCount') withCount = true;
        else if (name === 'edges') {
          for (const [, edge] of collect(fields, info, edgeType.name)) {
            const edgeField = edge[0].name.value;
            if (edgeField === 'node') nodeFields.push(...edge);
            else if (edgeField !== 'cursor' && edgeField !== '__typename')
              throw new NotCovered(`edge ${edgeField}`);
          }
        } else if (name !== 'pageInfo' && name !== '__typename') throw new NotCovered(`connection ${name}`);
      }
      return { node: this.object(this.type(entity), nodeFields, 'r', info, { n: 0 }), withCount };
    } catch (err) {
      if (err instanceof NotCovered) {
        this.logger.debug(`answered by the resolvers: ${err.message}`);
        return null;
      }
      throw err;
    }
  }

  /**
   * The statement: the page's keys from `page` (the list's filters, order, cursor and limit), each node built by
   * looking its row up by primary key, and the count of `qb` beside them when selected.
   */
  private statement<T>(
    entity: Type<T>,
    qb: SelectQueryBuilder<ObjectLiteral>,
    page: SelectQueryBuilder<ObjectLiteral>,
    sort: KeysetSort<T>,
    { node, withCount }: { node: string; withCount: boolean },
    joinsToOne = false,
  ): { sql: string; params: unknown[] } {
    const root = this.type(entity);
    // TypeORM repeats an expression selected twice when it is also the order's: a list sorted by its id selects
    // it once.
    const byId = sort.sortExpr === sort.idExpr;
    page.select([]).addSelect(sort.idExpr, 'id');
    if (!byId) page.addSelect(sort.sortExpr, 'k');
    const [pageSql, pageParams] = page.getQueryAndParameters();
    const dir = sort.direction ?? 'ASC';
    // The cursor's sort value: a time as the cursor holds it (ISO 8601), made by PostgreSQL.
    const [sortAlias, sortProperty] = sort.sortExpr.split('.');
    const sortColumn = page.expressionMap
      .findAliasByName(sortAlias)
      .metadata.findColumnWithPropertyPath(sortProperty);
    const key = byId ? 'p.id' : 'p.k';
    const nodes = `SELECT ${key} AS s, ${isTime(sortColumn?.type) ? isoText(key) : key} AS k, p.id,
      (SELECT ${node} FROM ${root.table} r WHERE r.${root.primary} = p.id) AS n FROM (${pageSql}) p`;
    if (!withCount) return { sql: `${nodes} ORDER BY 1 ${dir}, 3 ${dir}`, params: pageParams as unknown[] };
    const counting = qb
      .clone()
      .orderBy()
      .select(joinsToOne ? 'count(*)::int' : `count(DISTINCT ${sort.idExpr})::int`);
    const [countSql, countParams] = counting.getQueryAndParameters();
    const shifted = countSql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + pageParams.length}`);
    return {
      sql: `SELECT x.k, x.id, x.n, c.total FROM (${shifted}) c(total) LEFT JOIN LATERAL (${nodes}) x ON true
        ORDER BY x.s ${dir}, x.id ${dir}`,
      params: [...(pageParams as unknown[]), ...(countParams as unknown[])],
    };
  }

  /** `json_build_object` of the fields selected on an object of `type`, for its row aliased `alias`. */
  private object(
    type: CompiledType,
    nodes: readonly FieldNode[],
    alias: string,
    info: GraphQLResolveInfo,
    aliases: { n: number },
  ): string {
    const pairs: string[] = [`'${SQL_NODE}', 1`];
    for (const [key, fields] of collect(nodes, info, type.name)) {
      const f = fields[0];
      const name = f.name.value;
      if (name === '__typename') continue;
      if (fields.some((x) => x.arguments?.length || x.name.value !== name))
        throw new NotCovered(`${type.name}.${name}: arguments`);
      const column = type.columns.get(name);
      const extra = Object.hasOwn(type.fields, name) ? type.fields[name] : undefined;
      let expr: string;
      if (extra && 'computed' in extra) expr = extra.computed(alias);
      else if (extra) {
        const child = `t${++aliases.n}`;
        const sub = fields.filter((x) => x.selectionSet);
        expr = extra.sql(alias, child, this.object(this.type(extra.type), sub, child, info, aliases));
      } else if (column !== undefined) expr = column(alias);
      else throw new NotCovered(`${type.name}.${name}: computed by a resolver`);
      pairs.push(`${literal(key)}, ${expr}`);
    }
    if (pairs.length > MAX_PAIRS) throw new NotCovered(`${type.name}: too many fields`);
    return `json_build_object(${pairs.join(', ')})`;
  }

  /** The table, columns and extra fields of a registered entity (read once from TypeORM and Nest's metadata). */
  private type(entity: Type<unknown>): CompiledType {
    const known = this.types.get(entity);
    if (known) return known;
    const registered = sqlTypeOf(entity);
    if (!registered) throw new NotCovered(`${entity.name}: not registered`);
    const { name: typeName, options, resolved } = registered;
    const graphql = TypeMetadataStorage.getObjectTypeMetadataByTarget(entity);
    const meta = this.db.getMetadata(entity);
    const byProperty = new Map(
      meta.columns
        // A foreign key declared as its own property too (`carId` beside `car`) is a column; the relation is not.
        .filter((c) => !c.isVirtual && !c.transformer && c.propertyName !== c.relationMetadata?.propertyName)
        .map((c) => [c.propertyName, c] as const),
    );
    const columns = new Map<string, (alias: string) => string>();
    for (const p of graphql?.properties ?? []) {
      const column = byProperty.get(p.name);
      if (column === undefined || resolved.has(p.schemaName)) continue;
      // A DateTime is printed by PostgreSQL only from a timestamptz; on another column type (or a time shown as
      // something else) the resolvers answer.
      if ((p.typeFn() === Date) !== isTime(column.type)) continue;
      const name = quote(column.databaseName);
      columns.set(p.schemaName, isTime(column.type) ? (a) => isoText(`${a}.${name}`) : (a) => `${a}.${name}`);
    }
    if (meta.primaryColumns.length !== 1) throw new NotCovered(`${entity.name}: a composite key`);
    const compiled: CompiledType = {
      name: typeName,
      table: quote(meta.tableName),
      columns,
      fields: options.fields ?? {},
      primary: quote(meta.primaryColumns[0].databaseName),
    };
    this.types.set(entity, compiled);
    return compiled;
  }
}

/** A sort value read from a row as the cursor holds it: a time as ISO 8601, anything else as it is. */
function cursorValue(v: unknown): string | number {
  return v instanceof Date ? v.toISOString() : (v as string | number);
}

/**
 * The fields selected on one object by `nodes` (the nodes of one response key, or a field's), by response key in
 * order, through fragments and @skip / @include. A fragment on another type (an abstract one) is not covered.
 */
function collect(
  nodes: readonly FieldNode[],
  info: GraphQLResolveInfo,
  typeName: string,
): Map<string, FieldNode[]> {
  const out = new Map<string, FieldNode[]>();
  const visit = (selections: readonly SelectionNode[]) => {
    for (const s of selections) {
      if (!included(s, info)) continue;
      if (s.kind === Kind.FIELD) {
        const key = s.alias?.value ?? s.name.value;
        const list = out.get(key);
        if (list) list.push(s);
        else out.set(key, [s]);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        if (s.typeCondition && s.typeCondition.name.value !== typeName)
          throw new NotCovered(`a fragment on ${s.typeCondition.name.value}`);
        visit(s.selectionSet.selections);
      } else {
        const fragment = info.fragments[s.name.value];
        if (!fragment || fragment.typeCondition.name.value !== typeName)
          throw new NotCovered(`fragment ${s.name.value}`);
        visit(fragment.selectionSet.selections);
      }
    }
  };
  for (const node of nodes) if (node.selectionSet) visit(node.selectionSet.selections);
  return out;
}

function included(node: SelectionNode, info: GraphQLResolveInfo): boolean {
  if (!node.directives?.length) return true;
  const skip = getDirectiveValues(GraphQLSkipDirective, node, info.variableValues);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, info.variableValues);
  return include?.if !== false;
}
