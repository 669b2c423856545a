import type { SelectQueryBuilder } from 'typeorm';
import { BadInputError } from '../errors/domain-error.js';
import { decodeCursor, encodeCursor, paginate, paginateLazily } from './pagination.js';

describe('cursors', () => {
  it('round-trip the sort key and id', () => {
    expect(decodeCursor(encodeCursor(['Mazda MX-5', 67]), 2)).toEqual(['Mazda MX-5', 67]);
  });

  it('reject garbage and cursors of another shape with BAD_USER_INPUT', () => {
    for (const bad of ['nope', encodeCursor([1]), Buffer.from('{"a":1}').toString('base64url')]) {
      expect(() => decodeCursor(bad, 2)).toThrow(BadInputError);
    }
  });

  it("refuse another list's cursor when tagged", () => {
    const mine = encodeCursor(['Mazda MX-5', 67], 'cars');
    expect(decodeCursor(mine, 2, 'cars')).toEqual(['Mazda MX-5', 67]);
    expect(() => decodeCursor(mine, 2, 'runs')).toThrow(BadInputError);
    expect(() => decodeCursor(encodeCursor(['Mazda MX-5', 67]), 2, 'cars')).toThrow(BadInputError);
  });
});

describe('lazy connections', () => {
  /** A query builder over `rows` (sorted ids) that counts its count statements. */
  function fakeQuery(rows: { id: number }[]) {
    const stats = { counts: 0, pages: 0 };
    const qb = {
      clone: () => qb,
      orderBy: () => qb,
      addOrderBy: () => qb,
      limit: () => qb,
      andWhere: () => qb,
      getMany: async () => {
        stats.pages++;
        return rows;
      },
      getCount: async () => {
        stats.counts++;
        return rows.length;
      },
    };
    return { qb: qb as unknown as SelectQueryBuilder<{ id: number }>, stats };
  }
  const sort = {
    sortExpr: 'x.id',
    idExpr: 'x.id',
    values: (r: { id: number }) => [r.id, r.id] as [number, number],
  };

  it('count only when totalCount is awaited, once however often', async () => {
    const { qb, stats } = fakeQuery([{ id: 1 }, { id: 2 }, { id: 3 }]);
    const page = await paginateLazily(qb, { first: 2 }, sort);
    expect(page.edges.map((e) => e.node.id)).toEqual([1, 2]);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(stats).toEqual({ counts: 0, pages: 1 });
    expect(await Promise.all([page.totalCount, page.totalCount])).toEqual([3, 3]);
    expect(stats).toEqual({ counts: 1, pages: 1 });
  });

  it('count with the page when the caller needs the number', async () => {
    const { qb, stats } = fakeQuery([{ id: 1 }]);
    expect((await paginate(qb, {}, sort)).totalCount).toBe(1);
    expect(stats).toEqual({ counts: 1, pages: 1 });
  });
});
