import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Actor, AuditLog } from '@gpu/audit';
import { chainFarmId, DEPLOYMENT, type Deployment, predictFarmTokenAddress } from '@gpu/chain';
import { FarmToken, type FarmTokenStatus } from '../entities/farm-token.entity';
import { Farm } from '../entities/farm.entity';
import { FarmError } from '../farms.errors';
import type { FarmViewer } from '../farms.service';

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

/** A request is made again only after compliance rejected the last one or its transaction failed. */
const REQUESTABLE_AGAIN: readonly FarmTokenStatus[] = ['rejected', 'failed'];

/**
 * The operator of an approved farm requests its token with the terms: the request is stored as
 * `requested` and waits for compliance (DecideTokenization); nothing goes to the chain yet. The
 * token's address is known at once (the factory clones deterministically, salted with the farm).
 */
@Injectable()
export class RequestTokenization {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
  ) {}

  execute(viewer: FarmViewer, farmId: string, terms: TokenTerms, actor: Actor): Promise<FarmToken> {
    return this.dataSource.transaction(async (manager) => {
      const farm = await manager.findOne(Farm, {
        where: viewer.operatorOnly ? { id: farmId, operatorId: viewer.userId } : { id: farmId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!farm) throw FarmError.notFound();
      if (farm.status !== 'approved') throw FarmError.invalidTransition(farm.status, 'tokenized');
      const previous = await manager.findOne(FarmToken, {
        where: { farmId },
        lock: { mode: 'pessimistic_write' },
      });
      if (previous && !REQUESTABLE_AGAIN.includes(previous.status))
        throw FarmError.tokenizationRequested(previous.status);
      const attempt = (previous?.attempt ?? 0) + 1;
      const onChainId = chainFarmId(farm.id);
      const tokenAddress = predictFarmTokenAddress(this.deployment, onChainId).toLowerCase();
      const request = {
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
        status: 'requested' as const,
        chainTxId: null,
        attempt,
        failureReason: null,
        requestedBy: viewer.userId,
        requestedAt: new Date(),
        decidedBy: null,
        decidedAt: null,
        decisionReason: null,
        confirmedAt: null,
      };
      if (previous) await manager.update(FarmToken, { farmId }, request);
      else await manager.insert(FarmToken, request);
      await this.audit.record(manager, actor, 'farm.tokenization-request', `farm:${farm.id}`, {
        ...terms,
        totalFractions: terms.totalFractions.toString(),
        maxBalance: terms.maxBalance.toString(),
        tokenAddress,
        attempt,
        ...(previous ? { before: previous.status } : {}),
      });
      return manager.findOneByOrFail(FarmToken, { farmId });
    });
  }
}
