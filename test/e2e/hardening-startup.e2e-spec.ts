// Start-up behaviour of the real entry point (`node dist/src/main.js` as a child process, real PostgreSQL and Redis):
// an unreachable Redis stops the process with one clear line and exit code 1 after REDIS_STARTUP_TIMEOUT_MS;
// URL passwords in REDIS_URL and DATABASE_URL (`user:pass@`, `:pass@`, `?password=`) never reach a log line;
// the settings line is structured and scrubbed; production without ADMIN_API_KEYS warns; wrong settings name
// their variable. And the shared Redis client reports an outage once, and its end, instead of unhandled errors.
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createServer, connect } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { LoggerService } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { sha256Hex } from '../../src/core/auth/admin.guard.js';
import { waitForRedis, watchRedisErrors } from '../../src/core/redis/redis.provider.js';
import { registerLogSecret } from '../support/harness.js';
import { TEST_REDIS_URL } from '../support/test-env.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const rand = () => Math.random().toString(36).slice(2, 10);

/** A secret of this file: registered for the end-of-run log scan, which fails the run if any log holds it. */
function secret(label: string): string {
  const value = `hardening-${label}-${rand()}${rand()}`;
  registerLogSecret(`hardening-startup ${label}`, value);
  return value;
}

/** A TCP port nothing listens on (just released by the kernel). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** The test database's URL with a password in it (the server trusts local connections, so it is never asked). */
function databaseUrlWithPassword(password: string): string {
  const u = new URL(process.env.DATABASE_URL!);
  u.username = u.username || 'postgres';
  u.password = password;
  return u.toString();
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs `node dist/src/main.js` with these settings (over the run's environment: its log file and log capture) until
 * it exits; `onLine` sees each stdout line as it comes and may act on the child (stop it).
 */
function runMain(
  env: Record<string, string>,
  onLine?: (line: string, child: ReturnType<typeof spawn>) => void,
  timeoutMs = 60_000,
): Promise<Exit> {
  const started = Date.now();
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: { ...process.env, LOG_LEVEL: 'info', SCHEDULER_ENABLED: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine?.(line, child);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dist/src/main.js still running after ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const jsonLines = (text: string): Raw[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      try {
        return JSON.parse(l) as Raw;
      } catch {
        throw new Error(`not a JSON log line: ${l}`);
      }
    });

describe('hardening: start-up (node dist/src/main.js)', () => {
  it('exits with code 1 and one clear line when Redis is unreachable, its password hidden in every URL form', async () => {
    const timeout = 1500;
    const pw = {
      userinfo: secret('redis-userinfo-pw'),
      param: secret('redis-param-pw'),
      pg: secret('pg-pw'),
    };
    const [a, b] = [await freePort(), await freePort()];
    const base = {
      ROLE: 'api',
      MIGRATIONS_RUN: 'false',
      ADMIN_API_KEYS: sha256Hex('hardening-startup-key'),
      REDIS_STARTUP_TIMEOUT_MS: String(timeout),
      DATABASE_URL: databaseUrlWithPassword(pw.pg),
    };
    const runs = await Promise.all([
      runMain({
        ...base,
        PORT: String(await freePort()),
        REDIS_URL: `redis://:${pw.userinfo}@127.0.0.1:${a}`,
      }),
      runMain({
        ...base,
        PORT: String(await freePort()),
        REDIS_URL: `redis://127.0.0.1:${b}/0?password=${pw.param}`,
      }),
    ]);
    for (const [run, shownUrl] of [
      [runs[0], `redis://:***@127.0.0.1:${a}`],
      [runs[1], `redis://127.0.0.1:${b}/0?password=***`],
    ] as const) {
      const output = run.stdout + run.stderr;
      expect(run.code).toBe(1);
      // Bounded: not before the timeout, and not much after it.
      expect(run.ms).toBeGreaterThanOrEqual(timeout);
      expect(run.ms).toBeLessThan(timeout + 20_000);
      for (const value of Object.values(pw)) expect(output).not.toContain(value);
      expect(run.stderr).not.toMatch(/Unhandled error event|ECONNREFUSED/);
      const lines = jsonLines(run.stdout);
      // The settings line goes through pino, with the URL passwords replaced.
      const settings = lines.find((l) => /settings:/.test(String(l.msg)));
      expect(settings?.msg).toContain(`REDIS_URL=${shownUrl}`);
      expect(settings?.msg).toContain('DATABASE_URL=postgres://postgres:***@');
      // One error line naming REDIS_URL, the timeout and what failed; no stream of connection errors.
      const errors = lines.filter((l) => l.level >= 50);
      expect(errors).toHaveLength(1);
      expect(errors[0].msg).toContain(`Redis at ${shownUrl} (REDIS_URL) did not answer within ${timeout} ms`);
      expect(errors[0].msg).toMatch(/REDIS_STARTUP_TIMEOUT_MS.*ECONNREFUSED/);
      expect(lines.filter((l) => /ECONNREFUSED/.test(String(l.msg)))).toHaveLength(1);
    }
  });

  it('warns in production without ADMIN_API_KEYS, and starts with mutations and Bull Board refused', async () => {
    const pg = secret('pg-pw-prod');
    const port = await freePort();
    const answers: Raw = {};
    const run = await runMain(
      {
        ROLE: 'api',
        NODE_ENV: 'production',
        PORT: String(port),
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: `${process.env.QUEUE_PREFIX ?? 'simlane-test'}-startup-${rand()}`,
        DATABASE_URL: databaseUrlWithPassword(pg),
        MIGRATIONS_RUN: 'true',
        ADMIN_API_KEYS: '',
      },
      (line, child) => {
        if (!line.includes('GraphQL on http://')) return;
        // Listening: ask it, then stop it.
        void (async () => {
          const base = `http://127.0.0.1:${port}`;
          const mutation = await fetch(`${base}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: 'Bearer anything' },
            body: JSON.stringify({ query: 'mutation { syncCatalog { id } }' }),
          });
          answers.mutation = await mutation.json();
          answers.board = (
            await fetch(`${base}/admin/queues`, { headers: { authorization: 'Bearer x' } })
          ).status;
          child.kill('SIGTERM');
        })().catch((err: unknown) => {
          answers.error = String(err);
          child.kill('SIGTERM');
        });
      },
    );
    expect(answers.error).toBeUndefined();
    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(pg);
    const lines = jsonLines(run.stdout);
    const warning = lines.find((l) => l.level === 40 && /ADMIN_API_KEYS/.test(String(l.msg)));
    expect(warning?.msg).toMatch(/NODE_ENV=production without ADMIN_API_KEYS: every mutation and Bull Board/);
    expect(lines.findIndex((l) => l === warning)).toBeLessThan(
      lines.findIndex((l) => String(l.msg).includes('GraphQL on http://')),
    );
    expect((answers.mutation as Raw).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(answers.board).toBe(401);
  });

  it('names each wrong setting (cron parsed at start, http(s) endpoints) and exits with code 2', async () => {
    const pw = secret('bad-redis-url-pw');
    const run = await runMain({
      CRON_SEASONS: '61 * * * *',
      CRON_PAST_SEASONS: '0 0 30 2 *',
      IRACING_API_URL: 'ftp://members-ng.iracing.com',
      IRACING_OAUTH_URL: 'file:///etc/passwd',
      REDIS_URL: `http://:${pw}@cache:6379`,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /CRON_SEASONS: must be a cron expression .*out of range \(got "61 \* \* \* \*"\)/,
    );
    expect(run.stderr).toMatch(/CRON_PAST_SEASONS: .*never fires/);
    expect(run.stderr).toMatch(/IRACING_API_URL: must be an http:\/\/ or https:\/\/ URL \(got "ftp:/);
    expect(run.stderr).toMatch(/IRACING_OAUTH_URL: must be an http/);
    expect(run.stderr).toMatch(/REDIS_URL: must be a redis:\/\/ URL \(got "http:\/\/:\*\*\*@cache:6379"\)/);
    expect(run.stdout + run.stderr).not.toContain(pw);
  });
});

describe('hardening: Redis outages of the shared client', () => {
  /** Nest's static logger, captured: each line is also an event, so a test waits on it rather than polling. */
  class Capture extends EventEmitter implements LoggerService {
    lines: { level: string; msg: string }[] = [];
    private add(level: string, msg: unknown) {
      this.lines.push({ level, msg: String(msg) });
      this.emit('line');
    }
    log(m: unknown) {
      this.add('log', m);
    }
    error(m: unknown) {
      this.add('error', m);
    }
    warn(m: unknown) {
      this.add('warn', m);
    }
    until(pred: (lines: Capture['lines']) => boolean, what: string, ms = 15_000): Promise<void> {
      if (pred(this.lines)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          this.off('line', check);
          reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(this.lines)}`));
        }, ms);
        const check = () => {
          if (!pred(this.lines)) return;
          clearTimeout(timer);
          this.off('line', check);
          resolve();
        };
        this.on('line', check);
      });
    }
  }

  let capture: Capture;
  beforeEach(() => {
    capture = new Capture();
    Logger.overrideLogger(capture);
  });
  afterEach(() => {
    Logger.overrideLogger(false);
  });

  it('logs an outage once and its end, however many reconnections fail', async () => {
    const real = new URL(TEST_REDIS_URL);
    const port = await freePort();
    const sockets = new Set<Socket>();
    const proxy = (): Promise<Server> => {
      const server = createServer((sock) => {
        const up = connect(Number(real.port || 6379), real.hostname);
        sockets.add(sock).add(up);
        sock.pipe(up).pipe(sock);
        const drop = () => {
          sock.destroy();
          up.destroy();
        };
        sock.on('error', drop).on('close', drop);
        up.on('error', drop).on('close', drop);
      });
      return new Promise((r) => server.listen(port, '127.0.0.1', () => r(server)));
    };
    const down = async (server: Server) => {
      const closed = new Promise((r) => server.close(r));
      for (const s of sockets) s.destroy();
      sockets.clear();
      await closed;
    };
    const pw = secret('outage-redis-pw');
    const url = `redis://:${pw}@127.0.0.1:${port}`;
    // The test Redis has no password: AUTH would fail, so the client is given the proxy without one, and the
    // URL with a password only to name it in the messages.
    const client = watchRedisErrors(
      new Redis(`redis://127.0.0.1:${port}`, {
        retryStrategy: () => 25,
        maxRetriesPerRequest: 0,
        lazyConnect: true,
      }),
      url,
    );
    let errors = 0;
    client.on('error', () => errors++);
    let server = await proxy();
    try {
      await client.connect();
      expect(await client.ping()).toBe('PONG');
      for (let outage = 1; outage <= 2; outage++) {
        await down(server);
        // Several reconnections fail while the proxy is down...
        await new Promise<void>((resolve) => {
          const seen = () => {
            if (errors < 3 * outage) return;
            client.off('error', seen);
            resolve();
          };
          client.on('error', seen);
        });
        server = await proxy();
        await capture.until(
          (lines) => lines.filter((l) => /reachable again/.test(l.msg)).length === outage,
          `the end of outage ${outage}`,
        );
        expect(await client.ping()).toBe('PONG');
      }
      // ...but each outage was logged once, with the URL's password hidden.
      const failed = capture.lines.filter((l) => l.level === 'error');
      expect(failed).toHaveLength(2);
      expect(failed[0].msg).toContain(`Redis at redis://:***@127.0.0.1:${port} (REDIS_URL) failed`);
      expect(JSON.stringify(capture.lines)).not.toContain(pw);
    } finally {
      client.disconnect();
      await down(server);
    }
  });

  it('waitForRedis gives up after the timeout with a message naming REDIS_URL, password hidden', async () => {
    const pw = secret('wait-redis-pw');
    const port = await freePort();
    const started = Date.now();
    const err = await waitForRedis(`redis://:${pw}@127.0.0.1:${port}`, 700).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    const ms = Date.now() - started;
    expect(err?.message).toMatch(
      new RegExp(
        `^Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port} \\(REDIS_URL\\) did not answer within 700 ms`,
      ),
    );
    expect(err?.message).not.toContain(pw);
    expect(ms).toBeGreaterThanOrEqual(700);
    expect(ms).toBeLessThan(5000);
    // And a reachable Redis answers at once.
    await waitForRedis(TEST_REDIS_URL, 5000);
  });
});
