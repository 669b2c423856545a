// Creates this run's own database (migrated by the application at start, under its advisory lock); the
// teardown drops it and clears this run's Redis keys. Jest loads this file outside its module mapper, so it
// imports nothing from src/.
import pg from 'pg';

export default async function globalSetup(): Promise<void> {
  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const suffix = `${Date.now().toString(36)}_${process.pid}`;
  const name = `simlane_test_${suffix}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  process.env.TEST_DATABASE_NAME = name;
  process.env.DATABASE_URL = url.toString();
  process.env.QUEUE_PREFIX = `simlane-test-${suffix}`;
}
