import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '@gpu/database';

export type IndexedContractKind =
  | 'IdentityRegistry'
  | 'GpuFarmTokenFactory'
  | 'GpuFarmToken'
  | 'PrimarySale'
  | 'UptimeOracle'
  | 'AuditAnchor';

/** A product contract whose logs the indexer reads; farm tokens join when the factory creates them. */
@Entity('indexed_contract')
@Index('ix_indexed_contract_kind', ['kind'])
export class IndexedContract {
  /** Lower-case 0x address. */
  @PrimaryColumn('character', { length: 42 })
  address: string;

  @Column('text')
  kind: IndexedContractKind;

  /** The farm a token belongs to (bytes32). */
  @Column('character', { length: 66, nullable: true })
  farmId: string | null;

  /** Its first block: logs before it cannot exist. */
  @Column('bigint', { transformer: bigintTransformer })
  fromBlock: bigint;

  /** Tokens: the supply derived from mints and burns. */
  @Column('numeric', { precision: 78, scale: 0, default: 0, transformer: bigintTransformer })
  totalSupply: bigint;
}
