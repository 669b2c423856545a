// The standalone data source the TypeORM CLI uses (`npm run migration:generate|run|revert`), with every entity
// and migration. It reads DATABASE_URL; for the embedded local database use the URL printed at start.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { typeormOptions } from './core/database/typeorm-options.js';
import { ALL_ENTITIES } from './entities.js';

const url = process.env.DATABASE_URL;
if (!url) {
  throw new Error(
    'DATABASE_URL is required for the TypeORM CLI (for example postgres://postgres@127.0.0.1:5432/simlane)',
  );
}

export default new DataSource(typeormOptions(url, ALL_ENTITIES));
