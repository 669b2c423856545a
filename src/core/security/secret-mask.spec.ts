import { maskSecret } from './secret-mask.js';

describe('maskSecret', () => {
  it('matches the documented vector (password + normalised username)', () => {
    expect(maskSecret('SuperSecretPassword', 'test.user@example.com')).toBe(
      'nXmEFCdpHheD1R3XBVkm6VQavR7ZLbW7SRmzo/MfFso=',
    );
  });

  it('normalises the id: trimmed and lower-cased', () => {
    expect(maskSecret('SuperSecretPassword', '  Test.User@Example.COM ')).toBe(
      'nXmEFCdpHheD1R3XBVkm6VQavR7ZLbW7SRmzo/MfFso=',
    );
  });

  it('does not normalise the secret itself', () => {
    expect(maskSecret('supersecretpassword', 'test.user@example.com')).not.toBe(
      'nXmEFCdpHheD1R3XBVkm6VQavR7ZLbW7SRmzo/MfFso=',
    );
  });
});
