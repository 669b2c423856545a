// The content hash of the last payload imported per source, so an unchanged payload is skipped
// (docs/architecture.md §4.12).
// Written in the import's own transaction: a dry run or a failed import leaves it as it was.
import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity('payload_hash')
export class PayloadHash {
  /** For example `catalog` or `season:5935`. */
  @PrimaryColumn({ type: 'text' })
  source: string;

  @Column({ name: 'content_hash', type: 'text' })
  contentHash: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
