import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '@gpu/database';

/** A farm the oracle probes, and the first epoch it reports (the first whole one it watched). */
@Entity('monitored_farm')
export class MonitoredFarm {
  @PrimaryColumn('uuid')
  farmId: string;

  @Column('timestamptz')
  since: Date;

  @Column('bigint', { transformer: bigintTransformer })
  firstEpoch: bigint;
}
