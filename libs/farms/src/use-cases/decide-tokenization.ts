import { Inject, Injectable } from '@nestjs/common';
import { Wallet } from 'ethers';
import { DataSource } from 'typeorm';
import { type Actor, AuditLog } from '@gpu/audit';
import { ChainOutbox, createFarmTokenCall, DEPLOYMENT, type Deployment } from '@gpu/chain';
import { AppConfig, platformAgentPrivateKey } from '@gpu/config';
import { FarmToken } from '../entities/farm-token.entity';
import { Farm } from '../entities/farm.entity';
import { FarmError } from '../farms.errors';

/** The topic of factory transactions, for the listener that marks farms tokenized. */
export const TOKENIZATION_TOPIC = 'farms.tokenization';

export interface DecideTokenizationCommand {
  farmId: string;
  decision: 'approve' | 'reject';
  reason: string;
  /** The officer who decides: never the one who requested. */
  officerId: string;
  actor: Actor;
}

/**
 * Compliance decides a farm's token request, with a reason. Approval sends one factory
 * transaction through the outbox, with the platform agent as the token's admin, agent and
 * treasury and the PrimarySale as its minter; the farm becomes `tokenized` when it is confirmed
 * (TokenizationListener). Rejection lets the operator request again. Nobody decides a request
 * they made (separation of duties).
 */
@Injectable()
export class DecideTokenization {
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

  execute(command: DecideTokenizationCommand): Promise<FarmToken> {
    const { farmId, decision, reason, officerId, actor } = command;
    return this.dataSource.transaction(async (manager) => {
      const farm = await manager.findOne(Farm, {
        where: { id: farmId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!farm) throw FarmError.notFound();
      const token = await manager.findOne(FarmToken, {
        where: { farmId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!token) throw FarmError.notTokenized();
      if (token.status !== 'requested') throw FarmError.tokenizationNotPending(token.status);
      if (token.requestedBy === officerId) throw FarmError.ownTokenizationRequest();
      // An approved farm stays approved until its token is confirmed; anything else is a bug.
      if (farm.status !== 'approved') throw FarmError.invalidTransition(farm.status, 'tokenized');
      const decided = { decidedBy: officerId, decidedAt: new Date(), decisionReason: reason };
      if (decision === 'reject') {
        await manager.update(FarmToken, { farmId }, { ...decided, status: 'rejected' });
        await this.audit.record(manager, actor, 'farm.tokenization-reject', `farm:${farmId}`, {
          before: 'requested',
          after: 'rejected',
          attempt: token.attempt,
          reason,
        });
        return manager.findOneByOrFail(FarmToken, { farmId });
      }
      const tx = await this.outbox.enqueue(manager, {
        ...createFarmTokenCall(this.deployment, token.chainFarmId, {
          name: token.name,
          symbol: token.symbol,
          admin: this.agent,
          agent: this.agent,
          minter: this.deployment.contracts.PrimarySale.address,
          treasury: this.agent,
          maxBalance: token.maxBalance,
          maxHolders: token.maxHolders,
          lockupEnd: token.lockupEnd ? Math.floor(token.lockupEnd.getTime() / 1000) : 0,
          allowedCountries: token.allowedCountries,
        }),
        reference: `farm:${farmId}`,
        idempotencyKey: `tokenize-${farmId}-${token.attempt}`,
        topic: TOKENIZATION_TOPIC,
      });
      await manager.update(
        FarmToken,
        { farmId },
        { ...decided, status: 'pending', chainTxId: tx.id },
      );
      await this.audit.record(manager, actor, 'farm.tokenization-approve', `farm:${farmId}`, {
        before: 'requested',
        after: 'pending',
        attempt: token.attempt,
        tokenAddress: token.tokenAddress,
        chainTxId: tx.id,
        reason,
      });
      return manager.findOneByOrFail(FarmToken, { farmId });
    });
  }
}
