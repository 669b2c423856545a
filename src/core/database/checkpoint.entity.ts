// Named high-water marks of incremental syncs (the latest results end_time seen), kept in PostgreSQL.
import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity('sync_checkpoint')
export class SyncCheckpoint {
  @PrimaryColumn({ type: 'text' })
  name: string;

  @Column({ type: 'timestamptz' })
  at: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
