// Drops this run's databases (one per Jest worker) and removes its Bull keys (every worker's) from Redis; imports
// nothing from src/, see global-setup. Then scans every log line of the run (see global-setup: the application's
// log file and the stdout and stderr of every process) for the secrets the run used, and fails the run if one is
// found.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';

export default async function globalTeardown(): Promise<void> {
  const names = (process.env.TEST_WORKER_DATABASES ?? '').split(',').filter(Boolean);
  if (names.length) {
    const admin = new pg.Client({
      connectionString: process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    });
    await admin.connect();
    try {
      for (const name of names) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
  // The workers' prefixes (test/support/worker-env.ts) and the harnesses' below them all start with this one.
  const prefix = process.env.TEST_QUEUE_PREFIX;
  if (prefix) {
    const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    await redis.quit();
  }
  const root = process.env.LOG_CAPTURE_DIR;
  if (root) {
    const report = scanLogs(join(root, 'logs'), readSecrets(root));
    console.log(`\n${report.summary}`);
    if (report.findings.length || report.lines === 0) {
      throw new Error(
        `${report.summary}\n${report.findings.map((f) => `  ${f}`).join('\n')}\n` +
          `(the captured logs are kept in ${root})`,
      );
    }
    rmSync(root, { recursive: true, force: true });
  }
}

export interface Secret {
  /** What it is, shown in a finding instead of the value. */
  label: string;
  value: string;
}

/**
 * The secrets to look for: those the test files registered (LOG_SCAN_SECRETS: `label<TAB>value` lines) and
 * every token the offline replicas issued (REPLICA_TOKEN_LOG: one a line).
 */
export function readSecrets(root: string): Secret[] {
  const out: Secret[] = [];
  const registered = join(root, 'secrets.tsv');
  if (existsSync(registered)) {
    for (const line of readFileSync(registered, 'utf8').split('\n')) {
      const tab = line.indexOf('\t');
      if (tab > 0 && line.length > tab + 1)
        out.push({ label: line.slice(0, tab), value: line.slice(tab + 1) });
    }
  }
  const tokens = join(root, 'issued-tokens.txt');
  if (existsSync(tokens)) {
    for (const t of readFileSync(tokens, 'utf8').split('\n'))
      if (t) out.push({ label: 'replica token', value: t });
  }
  const seen = new Set<string>();
  return out.filter((s) => !seen.has(s.value) && seen.add(s.value));
}

export interface ScanReport {
  lines: number;
  files: number;
  /** Distinct processes whose lines were read (`stdio-<pid>.log` files, `"pid"` of JSON lines). */
  processes: number;
  secrets: number;
  /** `file:line: label` for each line that holds a secret (never the secret itself). */
  findings: string[];
  summary: string;
}

/**
 * Every line of every file in `dir` checked for every secret, as written and in the forms a log would carry it
 * in: escaped inside a JSON string, and URL-encoded (a query string, a form body).
 */
export function scanLogs(dir: string, secrets: Secret[]): ScanReport {
  const forms = new Map<string, string>();
  for (const s of secrets) {
    for (const f of [s.value, JSON.stringify(s.value).slice(1, -1), encodeURIComponent(s.value)])
      if (!forms.has(f)) forms.set(f, s.label);
  }
  const needles = [...forms.entries()];
  const files = existsSync(dir) ? readdirSync(dir).sort() : [];
  let lines = 0;
  const findings: string[] = [];
  const pids = new Set<string>();
  for (const file of files) {
    const stdio = /^stdio-(\d+)\.log$/.exec(file);
    if (stdio) pids.add(stdio[1]);
    const text = readFileSync(join(dir, file), 'utf8');
    const fileLines = text.split('\n');
    if (fileLines[fileLines.length - 1] === '') fileLines.pop();
    lines += fileLines.length;
    fileLines.forEach((line, i) => {
      const pid = /"pid":(\d+)/.exec(line);
      if (pid) pids.add(pid[1]);
      for (const [needle, label] of needles) {
        if (line.includes(needle)) findings.push(`${file}:${i + 1}: ${label}`);
      }
    });
  }
  const summary =
    `log scan: ${lines} lines, ${files.length} files, ${pids.size} processes, ${secrets.length} secrets checked, ` +
    `${findings.length} ${findings.length === 1 ? 'secret' : 'secrets'} found`;
  return { lines, files: files.length, processes: pids.size, secrets: secrets.length, findings, summary };
}
