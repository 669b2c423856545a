// A racer's link to their own iRacing account (`iracing_link`), keyed by iRacing's cust_id. It holds the OAuth
// refresh token only sealed (token-cipher.ts: `refresh_token` is the ciphertext, `key_id` the key that sealed
// it) and never selects it by default. Writes go through TokenVault, whose compare-and-set updates check
// `version`. No foreign key to `sim_profile`: a racer may link before any sync has stored their profile, and that
// table belongs to members (docs/architecture.md §3.1).
import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

export const LINK_STATUSES = ['ACTIVE', 'NEEDS_RELINK'] as const;
/** ACTIVE: a usable refresh token is stored. NEEDS_RELINK: none is; the racer must log in to iRacing again. */
export type LinkStatus = (typeof LINK_STATUSES)[number];

@Entity('iracing_link')
@Check('CHK_iracing_link_status', `"status" IN ('ACTIVE', 'NEEDS_RELINK')`)
@Check('CHK_iracing_link_token_key', `("refresh_token" IS NULL) = ("key_id" IS NULL)`)
@Check('CHK_iracing_link_active_token', `"status" <> 'ACTIVE' OR "refresh_token" IS NOT NULL`)
export class IracingLink {
  @PrimaryColumn({ name: 'cust_id', type: 'int' })
  custId: number;

  @Column({ type: 'text', default: 'ACTIVE' })
  status: LinkStatus;

  /** Why the link needs a new login (never a token: reasons are redacted before they are stored). */
  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason: string | null;

  /** The sealed refresh token; null once the link needs a new login. */
  @Column({ name: 'refresh_token', type: 'text', nullable: true, select: false })
  refreshToken: string | null;

  /** The TOKEN_ENCRYPTION_KEY id that sealed `refresh_token`. */
  @Column({ name: 'key_id', type: 'text', nullable: true })
  keyId: string | null;

  @Column({ name: 'refresh_expires_at', type: 'timestamptz', nullable: true })
  refreshExpiresAt: Date | null;

  /** When the account was first linked: kept when the racer links again. */
  @Column({ name: 'linked_at', type: 'timestamptz', default: () => 'now()' })
  linkedAt: Date;

  @Column({ name: 'last_sync_at', type: 'timestamptz', nullable: true })
  lastSyncAt: Date | null;

  @Column({ name: 'last_refresh_at', type: 'timestamptz', nullable: true })
  lastRefreshAt: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;

  /** Raised by every change of the token or the status: the compare-and-set updates check it. */
  @Column({ type: 'int', default: 1 })
  version: number;
}
