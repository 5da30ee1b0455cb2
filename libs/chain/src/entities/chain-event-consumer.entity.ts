import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintTransformer } from '@gpu/database';

/** How far a consumer of indexed chain events has read: the position of the last event it took. */
@Entity('chain_event_consumer')
export class ChainEventConsumer {
  @PrimaryColumn('text')
  name: string;

  @Column('bigint', { default: 0, transformer: bigintTransformer })
  lastBlock: bigint;

  @Column('integer', { default: -1 })
  lastLogIndex: number;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
