import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { ConfigError } from '../core/config/app-config.js';
import { TokenCipher, TokenCipherError } from './token-cipher.js';

const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');
const TOKEN = 'refresh-token-plaintext-0123456789';

/** The message of what `work` throws. */
function thrown(work: () => unknown): Error {
  try {
    work();
  } catch (err) {
    return err as Error;
  }
  throw new Error('nothing thrown');
}

describe('TokenCipher', () => {
  const one = TokenCipher.fromSetting(`k1:${K1}`);
  const rotated = TokenCipher.fromSetting(`k2:${K2}, k1:${K1}`);

  it('round-trips under the first key, with a fresh IV each time', () => {
    const a = one.encrypt(TOKEN, 'row:1');
    const b = one.encrypt(TOKEN, 'row:1');
    expect(a.keyId).toBe('k1');
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(a.ciphertext).not.toContain(TOKEN);
    expect(Buffer.from(a.ciphertext, 'base64').toString('latin1')).not.toContain(TOKEN);
    // iv (12) + tag (16) + data
    expect(Buffer.from(a.ciphertext, 'base64')).toHaveLength(12 + 16 + Buffer.byteLength(TOKEN));
    expect(one.decrypt(a, 'row:1')).toBe(TOKEN);
    expect(one.decrypt(b, 'row:1')).toBe(TOKEN);
    expect(one.decrypt(one.encrypt('', 'x'), 'x')).toBe('');
    expect(one.decrypt(one.encrypt('ünïcødé ✓', 'x'), 'x')).toBe('ünïcødé ✓');
  });

  it('encrypts with the first key and decrypts with any; reencrypt moves a token to the first key', () => {
    const old = one.encrypt(TOKEN, 'row:1');
    expect(rotated.currentKeyId).toBe('k2');
    expect(rotated.keyIds).toEqual(['k2', 'k1']);
    expect(rotated.decrypt(old, 'row:1')).toBe(TOKEN);
    const moved = rotated.reencrypt(old, 'row:1');
    expect(moved.keyId).toBe('k2');
    expect(rotated.decrypt(moved, 'row:1')).toBe(TOKEN);
    expect(rotated.reencrypt(moved, 'row:1')).toBe(moved); // already current: unchanged
    expect(rotated.isCurrent('k1')).toBe(false);
    // The old ring alone cannot open what the new key sealed, and says which key it lacks.
    const err = thrown(() => one.decrypt(moved, 'row:1'));
    expect(err).toBeInstanceOf(TokenCipherError);
    expect(err.message).toMatch(/key id "k2".*TOKEN_ENCRYPTION_KEY does not hold.*"k1"/);
  });

  it('refuses a tampered ciphertext, another row, or a swapped key id, naming the key id only', () => {
    const sealed = one.encrypt(TOKEN, 'row:1');
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    for (const at of [0, 13, bytes.length - 1]) {
      const bad = Buffer.from(bytes);
      bad[at] ^= 0x01;
      const err = thrown(() => one.decrypt({ keyId: 'k1', ciphertext: bad.toString('base64') }, 'row:1'));
      expect(err).toBeInstanceOf(TokenCipherError);
      expect(err.message).toMatch(/key id "k1" failed authentication/);
      expect(err.message).not.toContain(TOKEN);
      expect(err.message).not.toContain(K1);
    }
    expect(thrown(() => one.decrypt(sealed, 'row:2')).message).toMatch(/failed authentication/);
    const swapped = TokenCipher.fromSetting(`k1:${K1},k9:${K1}`);
    expect(thrown(() => swapped.decrypt({ ...sealed, keyId: 'k9' }, 'row:1')).message).toMatch(
      /key id "k9" failed authentication/,
    );
    expect(thrown(() => one.decrypt({ keyId: 'k1', ciphertext: 'c2hvcnQ=' }, 'row:1')).message).toMatch(
      /key id "k1" is malformed/,
    );
    expect(thrown(() => one.decrypt({ keyId: 'k1', ciphertext: 'not base64!' }, 'row:1')).message).toMatch(
      /malformed/,
    );
  });

  it('without keys refuses to work, naming the setting', () => {
    const none = TokenCipher.fromSetting(undefined);
    expect(none.configured).toBe(false);
    expect(thrown(() => none.encrypt(TOKEN)).message).toMatch(/TOKEN_ENCRYPTION_KEY is not set/);
    expect(thrown(() => none.decrypt({ keyId: 'k1', ciphertext: 'AAAA' })).message).toMatch(
      /TOKEN_ENCRYPTION_KEY does not hold \(it is not set\)/,
    );
  });

  it('names what is wrong with a malformed TOKEN_ENCRYPTION_KEY without echoing key material', () => {
    const short = randomBytes(16).toString('base64');
    const cases: [string, RegExp][] = [
      [K1, /entry 1 of 1 has no ':'/],
      [`:${K1}`, /entry 1 of 1 has an empty key id/],
      [`k1:${K1},k1:${K2}`, /entry 2 of 2 repeats key id "k1"/],
      [`k1:${short}`, /key id "k1" \(entry 1 of 1\): the key is 16 bytes, AES-256 needs exactly 32/],
      [`k1:${K1.slice(0, -2)}!!`, /key id "k1" \(entry 1 of 1\): the key is not valid base64/],
      [`k1:`, /the key is not valid base64/],
      [`k1:${K1},`, /entry 2 of 2 is empty/],
      [`k 1:${K1}`, /a key id is 1 to 32 letters/],
    ];
    for (const [value, why] of cases) {
      const err = thrown(() => TokenCipher.fromSetting(value));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.message).toMatch(/TOKEN_ENCRYPTION_KEY/);
      expect(err.message).toMatch(why);
      for (const material of [K1, K2, short, K1.slice(0, -2)]) expect(err.message).not.toContain(material);
    }
  });

  it('never shows key material when inspected', () => {
    const text = JSON.stringify(rotated) + inspect(rotated, { depth: 5 });
    expect(text).not.toContain(K1);
    expect(text).not.toContain(Buffer.from(K1, 'base64').toString('hex'));
  });
});
