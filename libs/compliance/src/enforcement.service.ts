import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type FindOptionsWhere } from 'typeorm';
import { type Actor, AuditLog } from '@gpu/audit';
import { ChainOutbox, EnforcementCalls } from '@gpu/chain';
import { Farm, FarmError, FarmToken } from '@gpu/farms';
import type { Principal } from '@gpu/identity';
import { ComplianceError } from './compliance.errors';
import { ENFORCEMENT_TOPIC } from './compliance.tokens';
import {
  EnforcementAction,
  type EnforcementKind,
  type EnforcementParams,
  type EnforcementStatus,
} from './entities/enforcement-action.entity';

const MAX_UINT128 = (1n << 128n) - 1n;
const MAX_UINT256 = (1n << 256n) - 1n;
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,100}$/;

export interface EnforcementRequest {
  farmId: string;
  kind: EnforcementKind;
  params: EnforcementParams;
  reason: string;
  idempotencyKey: string;
}

/**
 * Compliance officers' powers over a farm token, onto the chain: each request is checked, kept
 * with its reason, audited and put in the outbox in one transaction; its outcome on chain arrives
 * through the enforcement listener. A replayed Idempotency-Key returns the first action.
 */
@Injectable()
export class EnforcementService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: ChainOutbox,
    private readonly audit: AuditLog,
  ) {}

  async request(
    principal: Principal,
    request: EnforcementRequest,
    actor: Actor,
  ): Promise<{ action: EnforcementAction; replayed: boolean }> {
    if (!IDEMPOTENCY_KEY.test(request.idempotencyKey))
      throw ComplianceError.idempotencyKeyRequired();
    const params = normalise(request.kind, request.params);
    const requestHash = hashOf({ ...request, params });
    try {
      return await this.dataSource.transaction(async (manager) => {
        const earlier = await this.earlier(
          manager,
          principal.userId,
          request.idempotencyKey,
          requestHash,
        );
        if (earlier) return { action: earlier, replayed: true };
        if (!(await manager.existsBy(Farm, { id: request.farmId }))) throw FarmError.notFound();
        const token = await manager.findOneBy(FarmToken, { farmId: request.farmId });
        if (!token || token.status !== 'confirmed') throw FarmError.notTokenized();
        const address = token.tokenAddress.toLowerCase();
        if (request.kind === 'wallet-recovery') await this.checkRecovery(manager, params);
        const action = manager.create(EnforcementAction, {
          farmId: request.farmId,
          token: address,
          kind: request.kind,
          params,
          reason: request.reason,
          requestedBy: principal.userId,
          idempotencyKey: request.idempotencyKey,
          requestHash,
          status: 'pending',
          chainTxId: null,
          txHash: null,
          failure: null,
          completedAt: null,
        });
        await manager.insert(EnforcementAction, action);
        const tx = await this.outbox.enqueue(manager, {
          ...callOf(address, request.kind, params),
          reference: `enforcement:${action.id}`,
          idempotencyKey: `enforcement:${action.id}`,
          topic: ENFORCEMENT_TOPIC,
        });
        action.chainTxId = tx.id;
        await manager.update(EnforcementAction, { id: action.id }, { chainTxId: tx.id });
        await this.audit.record(
          manager,
          actor,
          `compliance.${request.kind}`,
          `farm:${request.farmId}`,
          {
            actionId: action.id,
            token: address,
            params,
            reason: request.reason,
            chainTxId: tx.id,
          },
        );
        return { action, replayed: false };
      });
    } catch (error) {
      // Two requests with one key at once: the second finds the first.
      if ((error as { code?: string }).code === '23505') {
        const earlier = await this.earlier(
          this.dataSource.manager,
          principal.userId,
          request.idempotencyKey,
          requestHash,
        );
        if (earlier) return { action: earlier, replayed: true };
      }
      throw error;
    }
  }

  async find(id: string): Promise<EnforcementAction> {
    const action = await this.dataSource.getRepository(EnforcementAction).findOneBy({ id });
    if (!action) throw ComplianceError.notFound();
    return action;
  }

  async list(query: {
    farmId?: string;
    kind?: EnforcementKind;
    status?: EnforcementStatus;
    limit: number;
    offset: number;
  }): Promise<{ items: EnforcementAction[]; total: number }> {
    const where: FindOptionsWhere<EnforcementAction> = {};
    if (query.farmId) where.farmId = query.farmId;
    if (query.kind) where.kind = query.kind;
    if (query.status) where.status = query.status;
    const [items, total] = await this.dataSource.getRepository(EnforcementAction).findAndCount({
      where,
      order: { createdAt: 'DESC' },
      take: query.limit,
      skip: query.offset,
    });
    return { items, total };
  }

  private async earlier(
    manager: EntityManager,
    requestedBy: string,
    idempotencyKey: string,
    requestHash: string,
  ): Promise<EnforcementAction | null> {
    const earlier = await manager.findOneBy(EnforcementAction, { requestedBy, idempotencyKey });
    if (earlier && earlier.requestHash !== requestHash) throw ComplianceError.keyReused();
    return earlier;
  }

  /** A lost wallet goes only to another linked wallet of the same investor, verified on chain. */
  private async checkRecovery(manager: EntityManager, params: EnforcementParams): Promise<void> {
    const rows = await manager.query<
      { address: string; user_id: string; registry_expiry: Date | null }[]
    >(`SELECT address, user_id, registry_expiry FROM wallet WHERE address = ANY($1)`, [
      [params.lostWallet, params.newWallet],
    ]);
    const lost = rows.find((row) => row.address === params.lostWallet);
    const fresh = rows.find((row) => row.address === params.newWallet);
    if (!lost || !fresh || lost.user_id !== fresh.user_id) throw ComplianceError.notSameInvestor();
    if (!fresh.registry_expiry || fresh.registry_expiry.getTime() <= Date.now()) {
      throw ComplianceError.newWalletNotVerified();
    }
  }
}

/** The parameters each kind needs, checked and in canonical form; anything else is refused. */
function normalise(kind: EnforcementKind, params: EnforcementParams): EnforcementParams {
  const wallet = (name: keyof EnforcementParams): string => {
    const value = params[name];
    if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(value)) {
      throw ComplianceError.invalid(`${name} must be a 0x address`);
    }
    if (/^0x0{40}$/.test(value))
      throw ComplianceError.invalid(`${name} cannot be the zero address`);
    return value.toLowerCase();
  };
  const amount = (min: bigint, max: bigint): string => {
    const value = params.amount;
    if (typeof value !== 'string' || !/^(0|[1-9][0-9]{0,77})$/.test(value)) {
      throw ComplianceError.invalid('amount must be an integer string');
    }
    if (BigInt(value) < min || BigInt(value) > max) {
      throw ComplianceError.invalid(`amount must be from ${min} to ${max}`);
    }
    return value;
  };
  switch (kind) {
    case 'wallet-freeze':
      if (typeof params.frozen !== 'boolean')
        throw ComplianceError.invalid('frozen must be a boolean');
      return { wallet: wallet('wallet'), frozen: params.frozen };
    case 'token-freeze':
      return { wallet: wallet('wallet'), amount: amount(0n, MAX_UINT128) };
    case 'forced-transfer': {
      const from = wallet('from');
      const to = wallet('to');
      if (from === to) throw ComplianceError.invalid('from and to must differ');
      return { from, to, amount: amount(1n, MAX_UINT256) };
    }
    case 'wallet-recovery': {
      const lostWallet = wallet('lostWallet');
      const newWallet = wallet('newWallet');
      if (lostWallet === newWallet)
        throw ComplianceError.invalid('lostWallet and newWallet must differ');
      return { lostWallet, newWallet };
    }
    case 'pause':
    case 'unpause':
      return {};
  }
}

function callOf(token: string, kind: EnforcementKind, p: EnforcementParams) {
  switch (kind) {
    case 'wallet-freeze':
      return EnforcementCalls.setWalletFrozen(token, p.wallet!, p.frozen!);
    case 'token-freeze':
      return EnforcementCalls.setFrozenTokens(token, p.wallet!, BigInt(p.amount!));
    case 'forced-transfer':
      return EnforcementCalls.forcedTransfer(token, p.from!, p.to!, BigInt(p.amount!));
    case 'wallet-recovery':
      return EnforcementCalls.recoverWallet(token, p.lostWallet!, p.newWallet!);
    case 'pause':
      return EnforcementCalls.pause(token);
    case 'unpause':
      return EnforcementCalls.unpause(token);
  }
}

function hashOf(request: EnforcementRequest): string {
  const { farmId, kind, params, reason } = request;
  return createHash('sha256')
    .update(JSON.stringify([farmId, kind, params, reason]))
    .digest('hex');
}
