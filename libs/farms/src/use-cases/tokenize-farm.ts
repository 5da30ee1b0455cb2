import { Inject, Injectable } from '@nestjs/common';
import { Wallet } from 'ethers';
import { DataSource } from 'typeorm';
import { type Actor, AuditLog } from '@gpu/audit';
import {
  ChainOutbox,
  chainFarmId,
  createFarmTokenCall,
  DEPLOYMENT,
  type Deployment,
  predictFarmTokenAddress,
} from '@gpu/chain';
import { AppConfig, platformAgentPrivateKey } from '@gpu/config';
import { FarmToken } from '../entities/farm-token.entity';
import { Farm } from '../entities/farm.entity';
import { FarmError } from '../farms.errors';
import type { FarmViewer } from '../farms.service';

/** The topic of factory transactions, for the listener that marks farms tokenized. */
export const TOKENIZATION_TOPIC = 'farms.tokenization';

export interface TokenTerms {
  symbol: string;
  totalFractions: bigint;
  allowedCountries: number[];
  /** 0: no limit. */
  maxBalance: bigint;
  /** 0: no limit. */
  maxHolders: number;
  lockupEnd: Date | null;
}

/**
 * Requests an approved farm's token: one factory transaction through the outbox, with the
 * platform agent as the token's admin, agent and treasury and the PrimarySale as its minter. The
 * farm becomes `tokenized` when the transaction is confirmed (TokenizationListener). A failed
 * attempt may be requested again.
 */
@Injectable()
export class TokenizeFarm {
  private readonly agent: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: ChainOutbox,
    private readonly audit: AuditLog,
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
    config: AppConfig,
  ) {
    // The API needs only the agent's address; it holds the key only where no address is set.
    this.agent =
      config.PLATFORM_AGENT_ADDRESS ??
      new Wallet(platformAgentPrivateKey(config, deployment.chainId)).address;
  }

  execute(viewer: FarmViewer, farmId: string, terms: TokenTerms, actor: Actor): Promise<FarmToken> {
    return this.dataSource.transaction(async (manager) => {
      const farm = await manager.findOne(Farm, {
        where: viewer.operatorOnly ? { id: farmId, operatorId: viewer.userId } : { id: farmId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!farm) throw FarmError.notFound();
      if (farm.status !== 'approved') throw FarmError.invalidTransition(farm.status, 'tokenized');
      const previous = await manager.findOneBy(FarmToken, { farmId });
      if (previous && previous.status !== 'failed')
        throw FarmError.tokenizationRequested(previous.status);
      const attempt = (previous?.attempt ?? 0) + 1;
      const onChainId = chainFarmId(farm.id);
      const tokenAddress = predictFarmTokenAddress(this.deployment, onChainId).toLowerCase();
      const tx = await this.outbox.enqueue(manager, {
        ...createFarmTokenCall(this.deployment, onChainId, {
          name: farm.name,
          symbol: terms.symbol,
          admin: this.agent,
          agent: this.agent,
          minter: this.deployment.contracts.PrimarySale.address,
          treasury: this.agent,
          maxBalance: terms.maxBalance,
          maxHolders: terms.maxHolders,
          lockupEnd: terms.lockupEnd ? Math.floor(terms.lockupEnd.getTime() / 1000) : 0,
          allowedCountries: terms.allowedCountries,
        }),
        reference: `farm:${farm.id}`,
        idempotencyKey: `tokenize-${farm.id}-${attempt}`,
        topic: TOKENIZATION_TOPIC,
      });
      const row = manager.create(FarmToken, {
        farmId,
        chainFarmId: onChainId,
        tokenAddress,
        name: farm.name,
        symbol: terms.symbol,
        totalFractions: terms.totalFractions,
        maxBalance: terms.maxBalance,
        maxHolders: terms.maxHolders,
        lockupEnd: terms.lockupEnd,
        allowedCountries: terms.allowedCountries,
        status: 'pending',
        chainTxId: tx.id,
        attempt,
        failureReason: null,
        requestedBy: viewer.userId,
        confirmedAt: null,
      });
      await manager.save(row);
      await this.audit.record(manager, actor, 'farm.tokenize', `farm:${farm.id}`, {
        ...terms,
        totalFractions: terms.totalFractions.toString(),
        maxBalance: terms.maxBalance.toString(),
        tokenAddress,
        chainTxId: tx.id,
        attempt,
      });
      return row;
    });
  }
}
