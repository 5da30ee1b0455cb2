import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** How far a consumer of indexed chain events has read (chain_event ids only grow). */
@Entity('chain_event_consumer')
export class ChainEventConsumer {
  @PrimaryColumn('text')
  name: string;

  @Column('bigint', { default: 0 })
  lastEventId: string;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
