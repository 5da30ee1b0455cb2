import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { bigintTransformer } from '@gpu/database';
import { EpochFigureColumns } from './epoch-figure-columns';

export const UPTIME_EPOCH_STATUSES = ['signed', 'submitted', 'accepted', 'failed'] as const;
export type UptimeEpochStatus = (typeof UPTIME_EPOCH_STATUSES)[number];

/** A reporter's EIP-712 signature of the report. */
export interface ReportSignature {
  signer: string;
  signature: string;
}

/**
 * A farm's uptime report for one epoch: what its samples prove, the SLA verdict, the reporters'
 * signatures and the UptimeOracle transaction that records it.
 */
@Entity('uptime_epoch')
@Unique('uq_uptime_epoch_farm_epoch', ['farmId', 'epoch'])
export class UptimeEpoch extends EpochFigureColumns {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  farmId: string;

  /** floor(start / epoch length), as the oracle contract numbers it. */
  @Column('bigint', { transformer: bigintTransformer })
  epoch: bigint;

  @Column('timestamptz')
  startsAt: Date;

  @Column('timestamptz')
  endsAt: Date;

  @Column('integer')
  probeIntervalSeconds: number;

  @Column('integer')
  gpus: number;

  @Column('integer')
  sampleCount: number;

  /** gpuHoursUsed x the farm's rate per GPU-hour, stablecoin minor units. */
  @Column('numeric', { precision: 78, scale: 0, transformer: bigintTransformer })
  revenue: bigint;

  @Column('numeric', { precision: 78, scale: 0, transformer: bigintTransformer })
  ratePerGpuHour: bigint;

  @Column('integer')
  slaUptimeBps: number;

  @Column('boolean')
  slaMet: boolean;

  /** 0x SHA-256 of the epoch's canonical sample export (see the README). */
  @Column('text')
  samplesHash: string;

  /** The EIP-712 digest the reporters signed. */
  @Column('text')
  digest: string;

  @Column('jsonb')
  signatures: ReportSignature[];

  @Index()
  @Column('text')
  status: UptimeEpochStatus;

  /** The outbox transaction (chain_tx.id) that submits the report. */
  @Column('bigint', { nullable: true })
  chainTxId: string | null;

  @Column('text', { nullable: true })
  txHash: string | null;

  @Column('text', { nullable: true })
  failure: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
