// An opaque bearer token a racer's client presents to read as that racer (`viewer_token`). Only its SHA-256
// digest is stored; the token itself is shown once, when issued (ViewerTokens). No foreign key: a token names
// a cust_id, which may have no `sim_profile` (owned by members) and outlive its `iracing_link`.
import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

@Entity('viewer_token')
@Unique('UQ_viewer_token_hash', ['tokenHash'])
@Index('IDX_viewer_token_cust', ['custId'])
@Check('CHK_viewer_token_hash', `"token_hash" ~ '^[0-9a-f]{64}$'`)
export class ViewerToken {
  @PrimaryGeneratedColumn()
  id: number;

  /** sha256 hex of the token. */
  @Column({ name: 'token_hash', type: 'text' })
  tokenHash: string;

  @Column({ name: 'cust_id', type: 'int' })
  custId: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** Written at most once a minute per token. */
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  label: string | null;
}
