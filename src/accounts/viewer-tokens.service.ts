// Issues and checks the opaque bearer tokens through which a racer's client reads as that racer
// (`viewer_token`), the way admin keys are kept (docs/architecture.md §6.6): a token is shown once, when issued,
// and stored only as its SHA-256 digest; it is never logged. Owns every statement on `viewer_token`
// (bearer-tokens.ts writes them).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BadInputError } from '../core/errors/domain-error.js';
import { BearerTokenTable, tokenHash } from './bearer-tokens.js';

/** Marks the tokens as this service's (and lets a secret scanner recognise them). */
export const VIEWER_TOKEN_PREFIX = 'slv_';
const MAX_LABEL = 100;

/** The stored form of a viewer token: sha256 hex. */
export const viewerTokenHash = tokenHash;

@Injectable()
export class ViewerTokens {
  private readonly tokens: BearerTokenTable;

  constructor(@InjectDataSource() db: DataSource) {
    this.tokens = new BearerTokenTable(db, 'viewer_token', VIEWER_TOKEN_PREFIX);
  }

  /** A new token for `custId` (`slv_` + 32 random bytes, base64url): returned once, stored only as its digest. */
  async issue(custId: number, label?: string): Promise<string> {
    return this.tokens.issue(custId, { label: cleanLabel(label) });
  }

  /** The cust_id a token stands for, or null when it is unknown, revoked or not shaped like one. */
  resolve(token: string): Promise<number | null> {
    return this.tokens.resolve(token);
  }

  /** Revokes one token; false when it is unknown or already revoked. */
  revoke(token: string): Promise<boolean> {
    return this.tokens.revoke(token);
  }

  /** Revokes every live token of a racer; returns how many. */
  revokeAll(custId: number): Promise<number> {
    return this.tokens.revokeAll(custId);
  }
}

function cleanLabel(label: string | undefined): string | null {
  if (label === undefined || label === null) return null;
  const line = String(label)
    .replace(/\p{Cc}+/gu, ' ')
    .trim();
  if (line.length > MAX_LABEL) throw new BadInputError(`a token label is at most ${MAX_LABEL} characters`);
  return line || null;
}
