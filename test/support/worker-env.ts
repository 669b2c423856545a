// A `setupFiles` module of the database tiers (jest.config.js): run in each test file's environment before the
// file, it points DATABASE_URL, TEST_DATABASE_NAME and QUEUE_PREFIX at the database and the Bull key prefix of the
// Jest worker running the file (JEST_WORKER_ID, 1 to --maxWorkers), which test/support/global-setup.ts created
// and named: two files running at once never share a database or a Redis key (docs/architecture.md §2.8).
// Jest gives each test file a copy of the worker's environment: what is set here is what the file's
// `process.env` holds, and what the child processes it starts receive, since every test passes its own
// `process.env` to them.
import { databaseUrlFor } from './test-env.js';

const worker = Number(process.env.JEST_WORKER_ID ?? '1');
const databases = (process.env.TEST_WORKER_DATABASES ?? '').split(',').filter(Boolean);
const name = databases[worker - 1];
if (!name || !process.env.TEST_QUEUE_PREFIX) {
  throw new Error(
    `no test database for Jest worker ${worker} (the global setup created ${databases.length}: ` +
      `test/support/global-setup.ts)`,
  );
}
process.env.TEST_DATABASE_NAME = name;
process.env.DATABASE_URL = databaseUrlFor(name);
process.env.QUEUE_PREFIX = `${process.env.TEST_QUEUE_PREFIX}-w${worker}`;
