import { Check, Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '@gpu/database';

/**
 * How many fractions of an offering an investor holds in live orders (reserved, paid, settled):
 * raised by each reservation batch, lowered when an order ends without settling. The batch reads
 * it to enforce the per-investor maximum without summing the investor's orders.
 */
@Entity('offering_allocation')
@Check('ck_offering_allocation_ordered', `"ordered" >= 0`)
export class OfferingAllocation {
  @PrimaryColumn('uuid')
  offeringId: string;

  @PrimaryColumn('uuid')
  investorId: string;

  @Column('bigint', { transformer: bigintTransformer })
  ordered: bigint;
}
