import { Inject, Injectable, Logger } from '@nestjs/common';
import type { JsonRpcProvider } from 'ethers';
import { DataSource } from 'typeorm';
import { AuditLog, WORKER_ACTOR } from '@gpu/audit';
import {
  CHAIN_PROVIDER,
  ChainTxListener,
  type ChainTxListenerOf,
  type ChainTxOutcome,
  DEPLOYMENT,
  type Deployment,
  identityRegistryInterface,
} from '@gpu/chain';
import { Wallet } from '@gpu/identity';
import { IdentityRegistrySync, REGISTRY_TOPIC } from '../identity-registry-sync';

/** The registry's refusals that mean the rows and the chain disagreed about a wallet. */
const DRIFT = /IdentityAlreadyRegistered|IdentityNotRegistered/;

/**
 * When a registry transaction fails, the wallet rows (which record what was asked, not what
 * happened) no longer match the chain. The listener reads each of the investor's wallets back
 * from the chain and records what is really there. Only when the refusal says the two had
 * drifted apart (already registered, not registered) does it sync again from that truth; any
 * other refusal (a lost role, say) is audited and left for an operator, so it cannot loop. A
 * correction waits while a newer registry transaction of the investor is still on its way.
 */
@Injectable()
@ChainTxListener(REGISTRY_TOPIC)
export class IdentityRegistryOutcomeListener implements ChainTxListenerOf {
  private readonly logger = new Logger(IdentityRegistryOutcomeListener.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: IdentityRegistrySync,
    private readonly audit: AuditLog,
    @Inject(CHAIN_PROVIDER) private readonly provider: JsonRpcProvider,
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
  ) {}

  async onOutcome(outcome: ChainTxOutcome): Promise<void> {
    if (outcome.state !== 'failed') return;
    const investorId = /^investor:(.+)$/.exec(outcome.reference)?.[1];
    if (!investorId || (await this.newerInFlight(outcome))) return;
    const addresses = (
      await this.dataSource.getRepository(Wallet).find({ where: { userId: investorId } })
    ).map((wallet) => wallet.address);
    const onChain = new Map(
      await Promise.all(
        addresses.map(async (address) => [address, await this.read(address)] as const),
      ),
    );
    await this.dataSource.transaction(async (manager) => {
      const wallets = await manager.find(Wallet, {
        where: { userId: investorId },
        lock: { mode: 'pessimistic_write' },
      });
      const corrected: string[] = [];
      for (const wallet of wallets) {
        const truth = onChain.get(wallet.address);
        if (!truth) continue;
        const same =
          (wallet.registryExpiry?.getTime() ?? null) === (truth.expiry?.getTime() ?? null) &&
          wallet.registryCountry === truth.country;
        if (same) continue;
        await manager.update(
          Wallet,
          { id: wallet.id },
          {
            registryExpiry: truth.expiry,
            registryCountry: truth.country,
            registryVersion: () => 'registry_version + 1',
          },
        );
        corrected.push(wallet.address);
      }
      await this.audit.record(
        manager,
        WORKER_ACTOR,
        'identity-registry.failed',
        `investor:${investorId}`,
        {
          chainTxId: outcome.id,
          failureReason: outcome.failureReason,
          corrected,
        },
      );
      if (DRIFT.test(outcome.failureReason ?? ''))
        await this.registry.sync(manager, investorId, WORKER_ACTOR);
      else
        this.logger.warn(
          `registry transaction ${outcome.id} for investor ${investorId} failed (${outcome.failureReason}); the rows now hold what the chain holds; an operator must look`,
        );
    });
  }

  /** A later registry transaction of the same investor that is not final yet. */
  private async newerInFlight(outcome: ChainTxOutcome): Promise<boolean> {
    const [row]: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM chain_tx WHERE reference = $1 AND id > $2 AND state NOT IN ('confirmed', 'failed') LIMIT 1`,
      [outcome.reference, outcome.id],
    );
    return row !== undefined;
  }

  /** What the registry holds for `address` now: its country and expiry, or nothing. */
  private async read(address: string): Promise<{ country: number | null; expiry: Date | null }> {
    const data = identityRegistryInterface.encodeFunctionData('identityOf', [address]);
    const result = await this.provider.call({
      to: this.deployment.contracts.IdentityRegistry.address,
      data,
    });
    const [, country, expiry] = identityRegistryInterface.decodeFunctionResult(
      'identityOf',
      result,
    );
    return Number(expiry) === 0
      ? { country: null, expiry: null }
      : { country: Number(country), expiry: new Date(Number(expiry) * 1000) };
  }
}
