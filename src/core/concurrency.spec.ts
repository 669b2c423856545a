import { forEachLimit, Semaphore, settleAll, within } from './concurrency.js';

describe('Semaphore', () => {
  it('lets `slots` holders in at once and the others in arrival order as slots come back', async () => {
    const s = new Semaphore(2);
    const order: string[] = [];
    const a = await s.acquire();
    const b = await s.acquire();
    const c = s.acquire().then((r) => (order.push('c'), r));
    const d = s.acquire().then((r) => (order.push('d'), r));
    await new Promise((r) => setImmediate(r));
    expect(s.state).toEqual({ held: 2, waiting: 2 });
    expect(order).toEqual([]);
    a();
    a(); // a second release of the same slot gives nothing back
    const releaseC = await c;
    expect(order).toEqual(['c']);
    expect(s.state).toEqual({ held: 2, waiting: 1 });
    b();
    const releaseD = await d;
    expect(order).toEqual(['c', 'd']);
    releaseC();
    releaseD();
    expect(s.state).toEqual({ held: 0, waiting: 0 });
  });
});

describe('forEachLimit', () => {
  it('never runs more than `limit` items at once and runs each once', async () => {
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    await forEachLimit([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 5));
      seen.push(n);
      running--;
    });
    expect(most).toBe(3);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('settleAll', () => {
  it('answers every value in order', async () => {
    await expect(settleAll([Promise.resolve(1), Promise.resolve('a')])).resolves.toEqual([1, 'a']);
  });

  it('rejects with the first rejection only once the slower work has ended too', async () => {
    let finishSlow!: () => void;
    let slowEnded = false;
    const slow = new Promise<number>((resolve) => {
      finishSlow = () => resolve(2);
    }).then((v) => ((slowEnded = true), v));
    const outcome = settleAll([
      Promise.reject(new Error('first')),
      slow,
      Promise.reject(new Error('second')),
    ]);
    let rejected: unknown;
    const done = outcome.catch((err: unknown) => (rejected = err));
    await new Promise((r) => setImmediate(r));
    expect(rejected).toBeUndefined();
    finishSlow();
    await done;
    expect(slowEnded).toBe(true);
    expect((rejected as Error).message).toBe('first');
  });
});

describe('within', () => {
  it('answers the value when it comes in time, else the fallback, also for a rejection', async () => {
    await expect(within(Promise.resolve('v'), 1000, 'late')).resolves.toBe('v');
    await expect(within(new Promise<string>(() => undefined), 5, 'late')).resolves.toBe('late');
    await expect(within(Promise.reject(new Error('x')), 1000, 'late')).resolves.toBe('late');
  });
});
