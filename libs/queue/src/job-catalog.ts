import type { JobsOptions } from 'bullmq';
import { RetryPolicy } from './retry-policies';

/** Every queue of the product. */
export const QueueName = {
  Chain: 'chain',
  Kyc: 'kyc',
  Issuance: 'issuance',
  Oracle: 'oracle',
  OracleProbes: 'oracle-probes',
  Distribution: 'distribution',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** Every job of the product and the payload it carries. */
export interface JobPayloads {
  /** Record the chain head; proves the worker, Redis, Postgres and the RPC all work. */
  'chain.heartbeat': Record<string, never>;
  /** Tell the topic listener of a chain transaction its final outcome. */
  'chain.tx-outcome': { chainTxId: string };
  /** Compare indexed balances and supplies with the chain. */
  'chain.reconcile': Record<string, never>;
  /** Bring an investor's wallets in the IdentityRegistry in line with their KYC (register, update, remove). */
  'kyc.sync-registry': { userId: string };
  /** Expire KYC approvals that have run out, and remove their wallets from the registry. */
  'kyc.expire': Record<string, never>;
  /** Anchor the audit log's head on chain (through the outbox) when it moved since the last anchor. */
  'audit.anchor': Record<string, never>;
  /** Act on the sale's new indexed events: settle matching payments, return stray ones, record refunds. */
  'issuance.sale-events': Record<string, never>;
  /** Expire unpaid reservations, close ended offerings, mark paid orders that can no longer settle refundable. */
  'issuance.expire-orders': Record<string, never>;
  /** Start probing farms that are now monitored (one repeating plan per farm), stop the others. */
  'oracle.sync-schedules': Record<string, never>;
  /**
   * Add a probe of every metrics endpoint of the farm for the slot meant (`slotAt`, or the one
   * `leadMs` after the run is due) and for any later slot whose plan is already due.
   */
  'oracle.plan-probes': { farmId: string; slotAt?: string; leadMs?: number };
  /** Probe one metrics endpoint for one slot and record a sample per GPU behind it. */
  'oracle.probe': ProbePayload;
  /** Report every ended epoch of every monitored farm: figures, SLA, signatures, on chain. */
  'oracle.close-epochs': Record<string, never>;
  /** Compute each farm's next draft distribution (in epoch order, after the one before is published) and publish it. */
  'distribution.compute': Record<string, never>;
}

export interface ProbePayload {
  farmId: string;
  url: string;
  /** ISO start of the probe slot. */
  slotAt: string;
  /** ISO time after which the probe is skipped: the end of its slot, or an interval after a late plan. */
  startBy: string;
  gpus: { id: string; uuid: string; model: string }[];
}
export type JobName = keyof JobPayloads;

export interface JobDefinition {
  queue: QueueName;
  options: JobsOptions;
}

/** Which queue each job runs on and how it is retried. Adding a job without a handler stops the worker at boot. */
export const JOB_CATALOG: { readonly [N in JobName]: JobDefinition } = {
  'chain.heartbeat': { queue: QueueName.Chain, options: RetryPolicy.none },
  'chain.tx-outcome': { queue: QueueName.Chain, options: RetryPolicy.transient },
  'chain.reconcile': { queue: QueueName.Chain, options: RetryPolicy.none },
  'kyc.sync-registry': { queue: QueueName.Kyc, options: RetryPolicy.transient },
  'kyc.expire': { queue: QueueName.Kyc, options: RetryPolicy.none },
  'audit.anchor': { queue: QueueName.Chain, options: RetryPolicy.none },
  'issuance.sale-events': { queue: QueueName.Issuance, options: RetryPolicy.none },
  'issuance.expire-orders': { queue: QueueName.Issuance, options: RetryPolicy.none },
  'oracle.sync-schedules': { queue: QueueName.Oracle, options: RetryPolicy.none },
  'oracle.plan-probes': { queue: QueueName.Oracle, options: RetryPolicy.none },
  'oracle.probe': { queue: QueueName.OracleProbes, options: RetryPolicy.probe },
  'oracle.close-epochs': { queue: QueueName.Oracle, options: RetryPolicy.none },
  'distribution.compute': { queue: QueueName.Distribution, options: RetryPolicy.none },
};

export const JOB_NAMES = Object.keys(JOB_CATALOG) as JobName[];

/** How many jobs of each queue one worker process runs at once. */
export const QUEUE_CONCURRENCY: { readonly [Q in QueueName]: number } = {
  [QueueName.Chain]: 4,
  [QueueName.Kyc]: 4,
  [QueueName.Issuance]: 2,
  [QueueName.Oracle]: 2,
  // ORACLE_PROBE_CONCURRENCY in the worker's settings.
  [QueueName.OracleProbes]: 1,
  // One round at a time; a round computes farms one after the other.
  [QueueName.Distribution]: 1,
};
