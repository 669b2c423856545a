// TypeORM connection options shared by the application and the TypeORM CLI. Schema changes go through
// migrations only: `synchronize` is never on.
import type { DataSourceOptions } from 'typeorm';
import { ALL_ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations/index.js';

export interface ConnectionSettings {
  /** PostgreSQL statement_timeout of every connection of the pool, in ms (none when unset). */
  statementTimeoutMs?: number;
}

export function typeormOptions(
  url: string,
  overrides: Partial<DataSourceOptions> & ConnectionSettings = {},
): DataSourceOptions {
  const { statementTimeoutMs, ...rest } = overrides;
  return {
    type: 'postgres',
    url,
    entities: ALL_ENTITIES,
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
