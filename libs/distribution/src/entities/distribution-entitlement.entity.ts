import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '@gpu/database';

const money = { precision: 78, scale: 0, transformer: bigintTransformer } as const;

/**
 * An account's line in a distribution: its balance at the snapshot, this epoch's entitlement
 * (floor of distributable x balance / supply) and its cumulative entitlement, the amount in its
 * Merkle leaf. Earlier holders with nothing now keep a line (amount 0) so their leaf stays.
 */
@Entity('distribution_entitlement')
// An investor's statement starts from the wallets.
@Index('ix_distribution_entitlement_account', ['account', 'distributionId'])
@Check('ck_distribution_entitlement_amounts', `"amount" >= 0 AND "cumulative" >= "amount"`)
export class DistributionEntitlement {
  @PrimaryColumn('uuid')
  distributionId: string;

  @PrimaryColumn('character', { length: 42 })
  account: string;

  @Column('numeric', money)
  balance: bigint;

  @Column('numeric', money)
  amount: bigint;

  @Column('numeric', money)
  cumulative: bigint;

  /** The leaf's position in the tree's array (OpenZeppelin StandardMerkleTree layout); null: no leaf (nothing entitled yet). */
  @Column('integer', { nullable: true })
  position: number | null;
}
