// TypeORM connection options shared by the application and the TypeORM CLI. Schema changes go through
// migrations only: `synchronize` is never on. The entities come from the caller (the composition root), so
// core names no feature.
import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations/index.js';

/** The entity classes of one connection. */
export type EntityList = NonNullable<DataSourceOptions['entities']>;

export interface ConnectionSettings {
  /** PostgreSQL statement_timeout of every connection of the pool, in ms (none when unset). */
  statementTimeoutMs?: number;
}

export function typeormOptions(
  url: string,
  entities: EntityList,
  overrides: Partial<DataSourceOptions> & ConnectionSettings = {},
): DataSourceOptions {
  const { statementTimeoutMs, ...rest } = overrides;
  return {
    type: 'postgres',
    url,
    entities,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    extra: {
      max: 10,
      application_name: 'simlane',
      ...(statementTimeoutMs ? { statement_timeout: statementTimeoutMs } : {}),
    },
    ...rest,
  } as DataSourceOptions;
}
