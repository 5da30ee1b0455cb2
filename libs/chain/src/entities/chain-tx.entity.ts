import { Check, Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { bigintTransformer } from '@gpu/database';

/**
 * Where a transaction is. Only forward, in this order (a database trigger refuses anything
 * else), except that a reorg sends a mined transaction back to `broadcast`.
 */
export enum ChainTxState {
  Queued = 'queued',
  Signed = 'signed',
  Broadcast = 'broadcast',
  Mined = 'mined',
  Confirmed = 'confirmed',
  Failed = 'failed',
}

export const PENDING_CHAIN_TX_STATES: readonly ChainTxState[] = [
  ChainTxState.Queued,
  ChainTxState.Signed,
  ChainTxState.Broadcast,
  ChainTxState.Mined,
];

export const FINAL_CHAIN_TX_STATES: readonly ChainTxState[] = [
  ChainTxState.Confirmed,
  ChainTxState.Failed,
];

/**
 * One on-chain action the platform wants (the outbox row): written by a use case in the same
 * database transaction as its business rows, sent by the worker's sender in its lane's order.
 */
@Entity('chain_tx')
@Unique('uq_chain_tx_idempotency_key', ['idempotencyKey'])
@Unique('uq_chain_tx_lane_nonce', ['chainId', 'lane', 'nonce'])
@Index('ix_chain_tx_lane_state', ['chainId', 'lane', 'state', 'id'])
@Index('ix_chain_tx_pending', ['state', 'createdAt'], {
  where: `"state" NOT IN ('confirmed', 'failed')`,
})
@Index('ix_chain_tx_unnotified', ['id'], {
  where: `"topic" IS NOT NULL AND "notified_at" IS NULL AND "state" IN ('confirmed', 'failed')`,
})
@Check(
  'ck_chain_tx_state',
  `"state" IN ('queued', 'signed', 'broadcast', 'mined', 'confirmed', 'failed')`,
)
@Check('ck_chain_tx_nonce', `"state" IN ('queued', 'failed') OR "nonce" IS NOT NULL`)
export class ChainTx {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column('integer')
  chainId: number;

  /** The signer lane (a key of the worker) that sends it. */
  @Column('text')
  lane: string;

  /** The caller's key: enqueuing the same key twice yields one transaction. */
  @Column('text')
  idempotencyKey: string;

  /** What business object it serves, e.g. `kyc-case:42`. */
  @Column('text')
  reference: string;

  /** Who is told of the outcome (a registered ChainTxListener), if anyone. */
  @Column('text', { nullable: true })
  topic: string | null;

  /** Readable name of the call, e.g. `IdentityRegistry.registerIdentity`. */
  @Column('text')
  method: string;

  @Column('character', { length: 42 })
  target: string;

  @Column('text')
  data: string;

  /** A fixed gas limit; null: estimated when signing. */
  @Column('bigint', { nullable: true, transformer: bigintTransformer })
  gasLimit: bigint | null;

  @Column('text', { default: ChainTxState.Queued })
  state: ChainTxState;

  @Column('bigint', { nullable: true, transformer: bigintTransformer })
  nonce: bigint | null;

  /** The hash of the latest signed attempt; once mined, the winning one. */
  @Column('character', { length: 66, nullable: true })
  txHash: string | null;

  @Column('bigint', { nullable: true, transformer: bigintTransformer })
  blockNumber: bigint | null;

  @Column('character', { length: 66, nullable: true })
  blockHash: string | null;

  /** Receipt status: true succeeded, false reverted. */
  @Column('boolean', { nullable: true })
  succeeded: boolean | null;

  @Column('numeric', { precision: 78, scale: 0, nullable: true, transformer: bigintTransformer })
  gasUsed: bigint | null;

  /** Why it failed, decoded: `IdentityRegistry.InvalidInvestorId(0x...)`. */
  @Column('text', { nullable: true })
  failureReason: string | null;

  /** The last transient problem (RPC down, underpriced...), cleared on progress. */
  @Column('text', { nullable: true })
  lastError: string | null;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { default: () => 'now()' })
  updatedAt: Date;

  @Column('timestamptz', { nullable: true })
  broadcastAt: Date | null;

  /** When the outcome was last handed to the queue for the topic's listener. */
  @Column('timestamptz', { nullable: true })
  notifyEnqueuedAt: Date | null;

  /** When the topic's listener took the outcome. */
  @Column('timestamptz', { nullable: true })
  notifiedAt: Date | null;
}
