import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { getAddress } from 'ethers';
import { type EntityManager, MoreThan } from 'typeorm';
import { type Actor, AuditLog } from '@gpu/audit';
import {
  ChainOutbox,
  type Deployment,
  DEPLOYMENT,
  encodeCall,
  identityRegistryInterface as registry,
  registryInvestorId,
} from '@gpu/chain';
import { User, Wallet } from '@gpu/identity';
import { KycCase } from './entities/kyc-case.entity';

/** The topic of registry transactions, for whoever wants their outcome. */
export const REGISTRY_TOPIC = 'kyc.identity-registry';

type Operation = 'register' | 'update' | 'remove';

interface Desired {
  country: number;
  /** Whole seconds: what the registry stores. */
  expiry: Date;
}

/**
 * Keeps the IdentityRegistry in line with KYC: every wallet of an investor with a valid approval
 * is registered with the approval's country and expiry; every other wallet is not. Each wallet
 * row remembers what was last asked of the chain, so a sync sends only the difference, and the
 * transactions go through the outbox in the caller's transaction.
 */
@Injectable()
export class IdentityRegistrySync {
  constructor(
    private readonly outbox: ChainOutbox,
    private readonly audit: AuditLog,
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
  ) {}

  /**
   * Enqueues what the investor's wallets need; returns how many wallets it touched. A disabled
   * account counts as having no approval.
   */
  async sync(manager: EntityManager, investorId: string, actor: Actor): Promise<number> {
    const wallets = await manager.find(Wallet, {
      where: { userId: investorId },
      order: { address: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
    if (wallets.length === 0) return 0;
    const active = await manager.existsBy(User, { id: investorId, status: 'active' });
    const approval =
      active &&
      (await manager.findOne(KycCase, {
        where: { investorId, status: 'approved', expiresAt: MoreThan(new Date()) },
      }));
    const desired: Desired | null = approval
      ? {
          country: approval.country,
          expiry: new Date(Math.floor(approval.expiresAt!.getTime() / 1000) * 1000),
        }
      : null;
    const groups = new Map<Operation, Wallet[]>();
    for (const wallet of wallets) {
      const operation = operationFor(wallet, desired);
      if (operation) groups.set(operation, [...(groups.get(operation) ?? []), wallet]);
    }
    for (const [operation, group] of groups) {
      await this.send(manager, investorId, operation, group, desired, actor);
    }
    return [...groups.values()].reduce((sum, group) => sum + group.length, 0);
  }

  private async send(
    manager: EntityManager,
    investorId: string,
    operation: Operation,
    wallets: Wallet[],
    desired: Desired | null,
    actor: Actor,
  ): Promise<void> {
    const addresses = wallets.map((wallet) => getAddress(wallet.address));
    const expirySeconds = desired ? Math.floor(desired.expiry.getTime() / 1000) : 0;
    const call =
      operation === 'register'
        ? encodeCall('IdentityRegistry', registry, 'batchRegisterIdentity', [
            addresses,
            addresses.map(() => registryInvestorId(investorId)),
            addresses.map(() => desired!.country),
            addresses.map(() => expirySeconds),
          ])
        : operation === 'update'
          ? encodeCall('IdentityRegistry', registry, 'batchUpdateIdentity', [
              addresses,
              addresses.map(() => desired!.country),
              addresses.map(() => expirySeconds),
            ])
          : encodeCall('IdentityRegistry', registry, 'batchRemoveIdentity', [addresses]);
    const version = createHash('sha256')
      .update(wallets.map((wallet) => `${wallet.id}:${wallet.registryVersion}`).join(','))
      .digest('hex')
      .slice(0, 32);
    const tx = await this.outbox.enqueue(manager, {
      to: this.deployment.contracts.IdentityRegistry.address,
      ...call,
      reference: `investor:${investorId}`,
      idempotencyKey: `identity-registry-${operation}-${version}`,
      topic: REGISTRY_TOPIC,
    });
    for (const wallet of wallets) {
      await manager.update(
        Wallet,
        { id: wallet.id },
        {
          registryExpiry: desired?.expiry ?? null,
          registryCountry: desired?.country ?? null,
          registryVersion: () => 'registry_version + 1',
        },
      );
    }
    await this.audit.record(
      manager,
      actor,
      `identity-registry.${operation}`,
      `investor:${investorId}`,
      {
        wallets: addresses,
        country: desired?.country ?? null,
        expiry: desired?.expiry ?? null,
        chainTxId: tx.id,
      },
    );
  }
}

function operationFor(wallet: Wallet, desired: Desired | null): Operation | undefined {
  if (!wallet.registryExpiry) return desired ? 'register' : undefined;
  if (!desired) return 'remove';
  const same =
    wallet.registryExpiry.getTime() === desired.expiry.getTime() &&
    wallet.registryCountry === desired.country;
  return same ? undefined : 'update';
}
