import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';

export const ENFORCEMENT_KINDS = [
  'wallet-freeze',
  'token-freeze',
  'forced-transfer',
  'wallet-recovery',
  'pause',
  'unpause',
] as const;
export type EnforcementKind = (typeof ENFORCEMENT_KINDS)[number];

export const ENFORCEMENT_STATUSES = ['pending', 'confirmed', 'failed'] as const;
export type EnforcementStatus = (typeof ENFORCEMENT_STATUSES)[number];

/** What an action acts on: wallets in lower case, amounts as decimal strings. */
export interface EnforcementParams {
  wallet?: string;
  frozen?: boolean;
  amount?: string;
  from?: string;
  to?: string;
  lostWallet?: string;
  newWallet?: string;
}

/**
 * A compliance officer's action on a farm token (freeze, partial freeze, forced transfer, wallet
 * recovery, pause), with its reason: one agent transaction through the outbox, and its outcome
 * on chain. Idempotent per officer and Idempotency-Key.
 */
@Entity('enforcement_action')
@Unique('uq_enforcement_action_key', ['requestedBy', 'idempotencyKey'])
@Index('ix_enforcement_action_farm', ['farmId', 'createdAt'])
@Index('ix_enforcement_action_chain_tx', ['chainTxId'])
@Check(
  'ck_enforcement_action_kind',
  `"kind" IN ('wallet-freeze', 'token-freeze', 'forced-transfer', 'wallet-recovery', 'pause', 'unpause')`,
)
@Check('ck_enforcement_action_status', `"status" IN ('pending', 'confirmed', 'failed')`)
export class EnforcementAction {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  farmId: string;

  @Column('character', { length: 42 })
  token: string;

  @Column('text')
  kind: EnforcementKind;

  @Column('jsonb')
  params: EnforcementParams;

  @Column('text')
  reason: string;

  @Column('uuid')
  requestedBy: string;

  @Column('text')
  idempotencyKey: string;

  /** SHA-256 of the kind, farm, parameters and reason: the same key with another request is refused. */
  @Column('character', { length: 64 })
  requestHash: string;

  @Column('text', { default: 'pending' })
  status: EnforcementStatus;

  /** The outbox transaction (chain_tx.id). */
  @Column('bigint', { nullable: true })
  chainTxId: string | null;

  @Column('text', { nullable: true })
  txHash: string | null;

  /** Why the chain refused it (the decoded custom error). */
  @Column('text', { nullable: true })
  failure: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { nullable: true })
  completedAt: Date | null;
}
