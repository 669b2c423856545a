import { BadInputError } from '../errors/domain-error.js';
import { decodeCursor, encodeCursor } from './pagination.js';

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
