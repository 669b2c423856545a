// AES-256-GCM for the refresh tokens of linked iRacing accounts (docs/architecture.md §6.7): a random 12-byte IV
// per encryption, the 16-byte tag checked on decryption, and the id of the key kept beside each ciphertext, so
// keys rotate: TOKEN_ENCRYPTION_KEY lists `<keyId>:<base64 of 32 bytes>`, the first key encrypts, every key
// decrypts. Pure: no I/O, no logging. Its errors name key ids, never a key or a plaintext.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { parseTokenKeyRing } from '../core/config/app-config.js';
import type { TokenEncryptionKey } from '../core/config/app-config.js';

/**
 * A sealed token as stored: the id of the key that sealed it, and `ciphertext`, the base64 of
 * iv (12 bytes) ‖ tag (16 bytes) ‖ encrypted UTF-8 data.
 */
export interface SealedToken {
  keyId: string;
  ciphertext: string;
}

/** A token that cannot be sealed or opened: the message names the key id, never the key or the token. */
export class TokenCipherError extends Error {
  constructor(
    message: string,
    readonly keyId?: string,
  ) {
    super(message);
    this.name = 'TokenCipherError';
  }
}

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Bound into every tag with the key id and the caller's context, so a format change cannot be confused. */
const AAD_LABEL = 'simlane-token-v1';

/** A key id read back from a row, quoted and cut short for a message (rows may hold anything). */
function quoted(keyId: string): string {
  return JSON.stringify(keyId.length > 40 ? `${keyId.slice(0, 40)}…` : keyId);
}

export class TokenCipher {
  private readonly keys: ReadonlyMap<string, KeyObject>;
  /** The key that encrypts: the first of TOKEN_ENCRYPTION_KEY; undefined when none is configured. */
  readonly currentKeyId: string | undefined;

  constructor(keys: readonly TokenEncryptionKey[]) {
    const map = new Map<string, KeyObject>();
    for (const { id, key } of keys) {
      if (map.has(id))
        throw new TokenCipherError(`TOKEN_ENCRYPTION_KEY: key id ${quoted(id)} is repeated`, id);
      if (key.type !== 'secret' || key.symmetricKeySize !== 32)
        throw new TokenCipherError(`TOKEN_ENCRYPTION_KEY: key id ${quoted(id)} is not a 32-byte key`, id);
      map.set(id, key);
    }
    this.keys = map;
    this.currentKeyId = keys[0]?.id;
  }

  /** The cipher of a TOKEN_ENCRYPTION_KEY value (none: a cipher that refuses to work); ConfigError when malformed. */
  static fromSetting(value: string | undefined): TokenCipher {
    return new TokenCipher(value ? parseTokenKeyRing(value) : []);
  }

  get configured(): boolean {
    return this.currentKeyId !== undefined;
  }

  /** The ids of the keys it holds, the encrypting one first. */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  /** Whether a token sealed under `keyId` is already under the current key (nothing to rotate). */
  isCurrent(keyId: string): boolean {
    return keyId === this.currentKeyId;
  }

  /**
   * Seals `plaintext` under the current key. `context` (the row's identity, e.g. `iracing_link:<cust_id>`) is
   * authenticated with it: the ciphertext opens only with the same context, so one copied to another row fails.
   */
  encrypt(plaintext: string, context = ''): SealedToken {
    const keyId = this.currentKeyId;
    if (keyId === undefined)
      throw new TokenCipherError('TOKEN_ENCRYPTION_KEY is not set: there is no key to encrypt a token with');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.keyOf(keyId), iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(keyId, context));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyId, ciphertext: Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64') };
  }

  /** Opens a sealed token; throws TokenCipherError when its key is unknown, it is malformed or its tag fails. */
  decrypt(sealed: SealedToken, context = ''): string {
    const { keyId, ciphertext } = sealed;
    const key = this.keys.get(keyId);
    if (!key) {
      const held = this.keys.size ? `it holds ${this.keyIds.map(quoted).join(', ')}` : 'it is not set';
      throw new TokenCipherError(
        `a token is sealed under key id ${quoted(keyId)}, which TOKEN_ENCRYPTION_KEY does not hold (${held})`,
        keyId,
      );
    }
    const bytes = Buffer.from(ciphertext, 'base64');
    if (bytes.length < IV_BYTES + TAG_BYTES || bytes.toString('base64') !== ciphertext)
      throw new TokenCipherError(
        `a token sealed under key id ${quoted(keyId)} is malformed (expected base64 of iv, tag and data)`,
        keyId,
      );
    const decipher = createDecipheriv(ALGORITHM, key, bytes.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aad(keyId, context));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new TokenCipherError(
        `a token sealed under key id ${quoted(keyId)} failed authentication: it was altered, belongs to ` +
          'another row, or the key with that id has changed',
        keyId,
      );
    }
  }

  /** The token sealed under the current key: unchanged when it already is, else opened and sealed again. */
  reencrypt(sealed: SealedToken, context = ''): SealedToken {
    if (this.isCurrent(sealed.keyId)) return sealed;
    return this.encrypt(this.decrypt(sealed, context), context);
  }

  private keyOf(keyId: string): KeyObject {
    const key = this.keys.get(keyId);
    if (!key) throw new TokenCipherError(`TOKEN_ENCRYPTION_KEY holds no key id ${quoted(keyId)}`, keyId);
    return key;
  }
}

function aad(keyId: string, context: string): Buffer {
  return Buffer.from(`${AAD_LABEL}\0${keyId}\0${context}`, 'utf8');
}
