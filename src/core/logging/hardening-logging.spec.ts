import { Writable } from 'node:stream';
import { loadConfig } from '../config/app-config.js';
import { createPino, httpLogger, knownSecrets } from './logging.js';

/** A pino destination that keeps the lines it is given. */
function sink(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines };
}

describe('log scrubbing of URL credentials', () => {
  const REDIS_PW = 'redis-pw-Zq81x';
  const PG_PW = 'pg-pw-Kk27m';
  const PARAM_PW = 'param-pw-Ty55c';

  it('knows the passwords of DATABASE_URL and REDIS_URL, in every URL form', () => {
    const config = loadConfig({
      DATABASE_URL: `postgres://app:${PG_PW}@db/x`,
      REDIS_URL: `redis://:${REDIS_PW}@cache:6379/0?password=${PARAM_PW}`,
    });
    expect(knownSecrets(config)).toEqual(expect.arrayContaining([PG_PW, REDIS_PW, PARAM_PW]));
  });

  it('scrubs them from any line, including secrets set after the logger was made', () => {
    const config = loadConfig({ REDIS_URL: `redis://:${REDIS_PW}@cache:6379` });
    const { stream, lines } = sink();
    const log = createPino(config, stream);
    log.error(`connection failed: WRONGPASS for ${REDIS_PW}`);
    // The local defaults fill DATABASE_URL once the logger exists (an embedded PostgreSQL).
    config.env.DATABASE_URL = `postgres://app:${PG_PW}@127.0.0.1:54329/simlane`;
    log.warn({ detail: { url: config.env.DATABASE_URL } }, `pg said ${PG_PW}`);
    const text = lines.join('\n');
    expect(lines).toHaveLength(2);
    expect(text).toContain('[redacted]');
    expect(text).not.toContain(REDIS_PW);
    expect(text).not.toContain(PG_PW);
  });

  it('redacts credential query parameters in the request log', () => {
    const config = loadConfig({});
    const { stream, lines } = sink();
    const mw = httpLogger(createPino(config, stream));
    const req = Object.assign(new (class extends Writable {})(), {
      method: 'GET',
      url: `/calendar.ics?token=${PARAM_PW}&api_key=${PARAM_PW}&pass=${PARAM_PW}&seriesIds=1`,
      headers: {},
      socket: {},
    });
    const res = Object.assign(new Writable({ write: (_c, _e, d) => d() }), {
      statusCode: 200,
      setHeader: () => undefined,
      getHeaders: () => ({}),
    });
    (mw as unknown as (q: unknown, s: unknown) => void)(req, res);
    res.emit('finish');
    const text = lines.join('\n');
    expect(text).toContain('token=[redacted]');
    expect(text).toContain('seriesIds=1');
    expect(text).not.toContain(PARAM_PW);
  });
});
