// Creates this run's databases, one per Jest worker (as many as the run's --maxWorkers), and builds dist/
// (`npm run build`: src/ and offline/) for the suites that start `node dist/src/main.js`; the teardown drops the
// databases and clears this run's Redis keys. Jest loads this file outside its module mapper, so it imports
// nothing from src/.
//
// Jest runs test files in parallel, each worker process one file at a time (package.json "test":
// --maxWorkers=2), and a file owns the whole database it runs on (the harness empties every table at its start,
// test/support/harness.ts), so each worker has a database and a Bull key prefix of its own: this process only
// names them (TEST_WORKER_DATABASES, TEST_QUEUE_PREFIX), and test/support/worker-env.ts, a `setupFiles` module of
// the database tiers, points DATABASE_URL, TEST_DATABASE_NAME and QUEUE_PREFIX at those of the file's worker
// (JEST_WORKER_ID) before the file runs (docs/architecture.md §2.8). The databases are created empty: the first
// file a worker runs migrates its database, as the application migrates one at start (under its advisory lock).
// DATABASE_URL is removed from this process's environment, which the workers inherit: a child process started
// without the environment of its test file finds no database rather than another worker's.
//
// It also sets up the log capture that the teardown scans for secrets (test/support/global-teardown.ts):
// - LOG_FILE (+ LOG_FILE_LEVEL=debug): every application logger (pino) of the run appends its JSON lines there,
//   from debug up, whatever its stdout shows; the harness's apps and any `node dist/src/main.js` child inherit it;
// - the stdout and stderr of this process and of every Node child process (through NODE_OPTIONS --import) are
//   copied to a file per process, so that what is printed outside pino (Nest's console logger, the CLI and the
//   demo, jest's own output) is scanned too;
// - REPLICA_TOKEN_LOG: every token an offline replica issues, and LOG_SCAN_SECRETS: the secrets the test files
//   register (credentials, admin keys), both read by the scan.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export default async function globalSetup(globalConfig: { maxWorkers: number }): Promise<void> {
  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const suffix = `${Date.now().toString(36)}_${process.pid}`;
  const workers = Math.max(1, globalConfig.maxWorkers);
  const names = Array.from({ length: workers }, (_, i) => `simlane_test_${suffix}_w${i + 1}`);
  process.env.TEST_WORKER_DATABASES = names.join(',');
  process.env.TEST_QUEUE_PREFIX = `simlane-test-${suffix}`;
  process.env.QUEUE_PREFIX = process.env.TEST_QUEUE_PREFIX;
  delete process.env.DATABASE_URL;
  delete process.env.TEST_DATABASE_NAME;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (const name of names) await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  startLogCapture();
  // The suites that run the application as separate OS processes (`node dist/src/main.js`: workers, a config error)
  // need the current build, whatever order the suites run in.
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'offline/tsconfig.json'], {
    stdio: 'inherit',
  });
}

/** The folders and files of the log capture, below one temporary folder per run. */
export function captureLayout(root: string) {
  return {
    root,
    logs: join(root, 'logs'),
    appLog: join(root, 'logs', 'app.jsonl'),
    tokens: join(root, 'issued-tokens.txt'),
    secrets: join(root, 'secrets.tsv'),
  };
}

function startLogCapture(): void {
  const layout = captureLayout(mkdtempSync(join(tmpdir(), 'simlane-log-scan-')));
  mkdirSync(layout.logs);
  process.env.LOG_CAPTURE_DIR = layout.root;
  process.env.LOG_FILE = layout.appLog;
  process.env.LOG_FILE_LEVEL = 'debug';
  process.env.REPLICA_TOKEN_LOG = layout.tokens;
  process.env.LOG_SCAN_SECRETS = layout.secrets;
  const source = `(${teeStdio.toString()})(process.env.LOG_CAPTURE_DIR && process.env.LOG_CAPTURE_DIR + '/logs');`;
  const preload = `--import=data:text/javascript;base64,${Buffer.from(source).toString('base64')}`;
  process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, preload].filter(Boolean).join(' ');
  teeStdio(layout.logs);
}

/**
 * Copies everything this process writes to stdout and stderr into `<dir>/stdio-<pid>.log`. Self-contained:
 * it also runs, as source text, at the start of every Node child process (NODE_OPTIONS above).
 */
export function teeStdio(dir: string | undefined): void {
  if (!dir) return;
  const fs = process.getBuiltinModule('node:fs');
  const path = process.getBuiltinModule('node:path');
  let fd: number;
  try {
    fd = fs.openSync(path.join(dir, `stdio-${process.pid}.log`), 'a');
  } catch {
    return; // the run's folder is gone (a child outliving the run): nothing to copy to
  }
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write;
    stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      try {
        if (typeof chunk === 'string') fs.writeSync(fd, chunk);
        else if (chunk instanceof Uint8Array) fs.writeSync(fd, chunk);
      } catch {
        // never let the copy break the process's own output
      }
      return (write as (...a: unknown[]) => boolean).apply(this, [chunk, ...rest]);
    } as typeof stream.write;
  }
}
