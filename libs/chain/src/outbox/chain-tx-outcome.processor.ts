import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { JobHandler, type JobHandlerOf, type JobPayloads } from '@gpu/queue';
import { ChainTxRepository } from './chain-tx.repository';
import { outcomeOf } from './chain-outbox.service';
import { CHAIN_TX_LISTENER_METADATA, type ChainTxListenerOf } from './chain-tx-listener';

/** Tells a transaction's topic listener its final outcome. */
@Injectable()
@JobHandler('chain.tx-outcome')
export class ChainTxOutcomeProcessor
  implements JobHandlerOf<'chain.tx-outcome'>, OnApplicationBootstrap
{
  private readonly listeners = new Map<string, ChainTxListenerOf>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    private readonly txs: ChainTxRepository,
  ) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders()) {
      if (!wrapper.metatype || !wrapper.instance) continue;
      const topic = this.reflector.get<string | undefined>(
        CHAIN_TX_LISTENER_METADATA,
        wrapper.metatype,
      );
      if (!topic) continue;
      if (this.listeners.has(topic)) throw new Error(`two listeners for chain topic ${topic}`);
      this.listeners.set(topic, wrapper.instance as ChainTxListenerOf);
    }
  }

  /** A topic nobody listens to (yet: a rolling deploy) fails the job; the outcome is handed over again later. */
  async handle({ chainTxId }: JobPayloads['chain.tx-outcome']): Promise<{ topic: string | null }> {
    const tx = await this.txs.find(chainTxId);
    if (!tx?.topic || tx.notifiedAt) return { topic: tx?.topic ?? null };
    const listener = this.listeners.get(tx.topic);
    if (!listener) throw new Error(`no listener for chain topic ${tx.topic} (tx ${tx.id})`);
    await listener.onOutcome(outcomeOf(tx));
    await this.txs.markNotified(tx.id);
    return { topic: tx.topic };
  }
}
