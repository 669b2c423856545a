// The tokens of racers' personal calendar feeds (docs/architecture.md §6.9), kept the way viewer tokens are
// (§6.6, bearer-tokens.ts): shown once, when issued, and stored only as their SHA-256 digest in
// `planner_feed_token`; never logged (the feed's path is redacted from request logs, §6.7). A feed token opens its
// racer's feed and nothing else: it is not a viewer token (another prefix, another table), so it reads nothing
// through GraphQL, and a viewer token opens no feed. Owns every statement on `planner_feed_token`.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BearerTokenTable, tokenHash } from '../accounts/bearer-tokens.js';

/** Marks the tokens as feed tokens (and lets a secret scanner recognise them); viewer tokens start `slv_`. */
export const FEED_TOKEN_PREFIX = 'slf_';

/** The stored form of a feed token: sha256 hex. */
export const feedTokenHash = tokenHash;

@Injectable()
export class FeedTokens {
  private readonly tokens: BearerTokenTable;

  constructor(@InjectDataSource() db: DataSource) {
    this.tokens = new BearerTokenTable(db, 'planner_feed_token', FEED_TOKEN_PREFIX);
  }

  /** Whether `token` is shaped like a feed token. */
  shaped(token: unknown): token is string {
    return this.tokens.shaped(token);
  }

  /** A new feed token for `custId` (`slf_` + 32 random bytes, base64url): returned once, stored as its digest. */
  issue(custId: number): Promise<string> {
    return this.tokens.issue(custId);
  }

  /** The cust_id a feed token stands for, or null when it is unknown, revoked or not shaped like one. */
  resolve(token: string): Promise<number | null> {
    return this.tokens.resolve(token);
  }

  /** Revokes every live feed token of a racer; returns how many. */
  revokeAll(custId: number): Promise<number> {
    return this.tokens.revokeAll(custId);
  }
}
