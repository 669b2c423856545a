// The replica's request-count triggers that the chaos scenario (bench/chaos.ts) relies on: `holdAt` holds
// the nth request to an endpoint (and the later ones of its scope) until released, `alias()` tells the clients
// apart, and a fault with `after` starts at a defined request. Every wait is on a request's answer, a hold's
// promise or a condition that stays true until the test changes it, each under a deadline.
import { OfflineReplica } from '../../offline/replica.js';
import { syntheticDataset } from '../../offline/synthetic-dataset.js';

const TOKEN = 'chaos-holds-static-token';
const NOW = new Date('2026-11-19T15:00:00Z');

/** Waits for a condition that stays true once reached; fails after `ms`. */
async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('offline replica: holds and faults at a defined request', () => {
  let replica: OfflineReplica;
  let url: string;
  const get = (base: string, path: string, signal?: AbortSignal) =>
    fetch(`${base}/data/${path}`, { headers: { authorization: `Bearer ${TOKEN}` }, signal });

  beforeEach(async () => {
    replica = new OfflineReplica({
      dataset: syntheticDataset({ scale: 0.01, seed: 1, now: NOW }),
      now: () => NOW,
      staticTokens: [TOKEN],
      rateLimit: null,
    });
    url = await replica.start();
  });

  afterEach(() => replica.stop());

  it('holds the nth request to an endpoint and the later ones until released, naming the URL it came to', async () => {
    const alias = await replica.alias();
    expect(alias).not.toBe(url);
    const hold = replica.holdAt('car/get', 2);
    expect((await get(alias, 'car/get')).status).toBe(200); // the 1st passes
    const second = get(alias, 'car/get?n=2');
    const held = await hold;
    expect(held).toMatchObject({ endpoint: 'car/get', n: 2, url: alias });
    expect(held.request).toEqual({ endpoint: 'car/get', params: { n: '2' } });
    // Another endpoint is answered meanwhile; a later request to the held endpoint waits too.
    expect((await get(url, 'track/get')).status).toBe(200);
    const third = get(url, 'car/get?n=3');
    await until(() => held.count === 2);
    held.release();
    const answers = await Promise.all([second, third]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect((await answers[0].json()) as object).toHaveProperty('link');
    // Released: nothing is held any more.
    expect((await get(url, 'car/get')).status).toBe(200);
  });

  it('counts only the requests with the given parameters, and holds one request with scope "request"', async () => {
    const hold = replica.holdAt('car/get', 1, { params: { id: '7' }, scope: 'request' });
    expect((await get(url, 'car/get?id=6')).status).toBe(200);
    const wanted = get(url, 'car/get?id=7');
    const held = await hold;
    expect(held.request.params).toEqual({ id: '7' });
    expect((await get(url, 'car/get?id=7')).status).toBe(200); // scope "request": the next one passes
    held.release();
    expect((await wanted).status).toBe(200);
  });

  it('releases a held request whose client has gone without harm (as after a SIGKILL)', async () => {
    const hold = replica.holdAt('*', 1);
    const abort = new AbortController();
    const gone = get(url, 'car/get', abort.signal).catch((err: unknown) => (err as { name?: string }).name);
    const held = await hold;
    abort.abort();
    expect(await gone).toBe('AbortError');
    held.release();
    expect((await get(url, 'car/get')).status).toBe(200);
  });

  it('serves a fault from a defined request for a number of requests, or until removed', async () => {
    replica.addFault({ endpoint: 'series/get', kind: 'maintenance', after: 1, times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await get(url, 'series/get')).status);
    expect(statuses).toEqual([200, 503, 503, 200]);
    expect(replica.stats.faultsByKind).toEqual({ maintenance: 2 });

    const remove = replica.addFault({ endpoint: '*', kind: 'maintenance', after: 1 });
    expect((await get(url, 'track/get')).status).toBe(200);
    expect((await get(url, 'car/get')).status).toBe(503);
    expect((await get(url, 'car/get')).status).toBe(503);
    remove();
    expect((await get(url, 'car/get')).status).toBe(200);
  });
});
