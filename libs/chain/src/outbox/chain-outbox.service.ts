import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { DEPLOYMENT } from '../chain.tokens';
import { ChainError } from '../chain.errors';
import type { Deployment } from '../deployment/deployment';
import { type ChainTx, FINAL_CHAIN_TX_STATES } from '../entities/chain-tx.entity';
import { type ChainIntent, normaliseIntent } from './chain-intent';
import { ChainTxRepository } from './chain-tx.repository';

/** What business code learns of its transaction. */
export interface ChainTxOutcome {
  id: string;
  reference: string;
  state: ChainTx['state'];
  txHash: string | null;
  blockNumber: string | null;
  failureReason: string | null;
}

export function outcomeOf(tx: ChainTx): ChainTxOutcome {
  return {
    id: tx.id,
    reference: tx.reference,
    state: tx.state,
    txHash: tx.txHash,
    blockNumber: tx.blockNumber?.toString() ?? null,
    failureReason: tx.failureReason,
  };
}

/**
 * The only way business code reaches the chain: it enqueues an intent with the manager of its
 * own database transaction, so the intent commits (or not) with its business rows. The worker's
 * sender does the rest; the caller can wait for the outcome or name a topic to be told of it.
 */
@Injectable()
export class ChainOutbox {
  constructor(
    private readonly txs: ChainTxRepository,
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
  ) {}

  /** Idempotent by `idempotencyKey`: the same key and call return the first row; another call is a conflict. */
  async enqueue(manager: EntityManager, intent: ChainIntent): Promise<ChainTx> {
    const clean = normaliseIntent(intent);
    const { tx, created } = await this.txs.insertIntent(manager, {
      chainId: this.deployment.chainId,
      lane: clean.lane,
      idempotencyKey: clean.idempotencyKey,
      reference: clean.reference,
      topic: clean.topic ?? null,
      method: clean.method,
      target: clean.to,
      data: clean.data,
      gasLimit: clean.gasLimit ?? null,
    });
    if (!created && (tx.target !== clean.to || tx.data !== clean.data || tx.lane !== clean.lane)) {
      throw ChainError.idempotencyConflict(clean.idempotencyKey);
    }
    return tx;
  }

  async get(id: string): Promise<ChainTx> {
    const tx = await this.txs.find(id);
    if (!tx) throw ChainError.txNotFound(id);
    return tx;
  }

  /** Resolves with the final outcome (confirmed or failed); an error after `timeoutMs`. */
  async waitForOutcome(
    id: string,
    { timeoutMs = 60_000, pollMs = 100 } = {},
  ): Promise<ChainTxOutcome> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const tx = await this.get(id);
      if (FINAL_CHAIN_TX_STATES.includes(tx.state)) return outcomeOf(tx);
      if (Date.now() >= deadline) throw ChainError.outcomeTimeout(id, tx.state, timeoutMs);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }
}

/** The outbox outside Nest (scripts, other processes), over their own DataSource. */
export function chainOutboxFor(dataSource: DataSource, deployment: Deployment): ChainOutbox {
  return new ChainOutbox(new ChainTxRepository(dataSource), deployment);
}
