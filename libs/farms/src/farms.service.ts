import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type FindOptionsWhere } from 'typeorm';
import { type Actor, AuditLog } from '@gpu/audit';
import { AppConfig } from '@gpu/config';
import { isUniqueViolation } from '@gpu/database';
import { FarmDocument } from './entities/farm-document.entity';
import { FarmToken } from './entities/farm-token.entity';
import { Farm, type FarmStatus } from './entities/farm.entity';
import { GpuNode } from './entities/gpu-node.entity';
import { assertTransition, EDITABLE_FARM_STATUSES } from './farm-lifecycle';
import { FarmError } from './farms.errors';

export interface FarmTerms {
  name: string;
  legalEntity: string;
  jurisdiction: number;
  siteLocation: string;
  valuation: bigint;
  revenueShareBps: number;
  /** Monitoring terms; defaults when absent. */
  probeIntervalSeconds?: number;
  slaUptimeBps?: number;
  ratePerGpuHour?: bigint;
}

export type GpuNodeSpec = Pick<
  GpuNode,
  'gpuModel' | 'gpuUuid' | 'memoryMb' | 'host' | 'metricsUrl'
>;
export type FarmDocumentSpec = Pick<FarmDocument, 'type' | 'uri' | 'sha256'>;

export interface FarmDraft extends FarmTerms {
  nodes: GpuNodeSpec[];
  documents: FarmDocumentSpec[];
}

/** Who asks: an operator sees and changes only their own farms; staff see all. */
export interface FarmViewer {
  userId: string;
  operatorOnly: boolean;
}

/**
 * Farm listings: an operator drafts, edits and submits their own; compliance approves or
 * rejects with a reason. Every change is audited in its own transaction.
 */
@Injectable()
export class FarmsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    private readonly config: AppConfig,
  ) {}

  create(operatorId: string, draft: FarmDraft, actor: Actor): Promise<Farm> {
    this.assertMonitorable(draft);
    return this.write(async (manager) => {
      const farm = manager.create(Farm, { ...terms(draft), operatorId, status: 'draft' });
      await manager.save(farm);
      await this.replaceParts(manager, farm.id, draft);
      await this.audit.record(manager, actor, 'farm.create', `farm:${farm.id}`, describe(draft));
      return this.load(manager, farm.id);
    });
  }

  /**
   * Edits a draft or rejected listing (a rejected one goes back to draft); `nodes` and
   * `documents`, when given, replace the farm's sets. A submitted or later farm is refused.
   */
  update(
    viewer: FarmViewer,
    farmId: string,
    changes: Partial<FarmDraft>,
    actor: Actor,
  ): Promise<Farm> {
    this.assertMonitorable(changes);
    return this.write(async (manager) => {
      const farm = await this.lock(manager, viewer, farmId);
      if (!EDITABLE_FARM_STATUSES.includes(farm.status)) throw FarmError.notEditable(farm.status);
      const before = farm.status;
      if (farm.status === 'rejected') assertTransition('rejected', 'draft');
      await manager.update(Farm, { id: farmId }, { ...terms(changes), status: 'draft' });
      await this.replaceParts(manager, farmId, changes);
      await this.audit.record(manager, actor, 'farm.update', `farm:${farmId}`, {
        before,
        after: 'draft',
        changes: describe(changes),
      });
      return this.load(manager, farmId);
    });
  }

  submit(viewer: FarmViewer, farmId: string, actor: Actor): Promise<Farm> {
    return this.write(async (manager) => {
      const farm = await this.lock(manager, viewer, farmId);
      assertTransition(farm.status, 'submitted');
      const missing = [
        ...((await manager.countBy(GpuNode, { farmId })) === 0 ? ['GPU nodes'] : []),
        ...((await manager.countBy(FarmDocument, { farmId })) === 0 ? ['documents'] : []),
      ];
      if (missing.length) throw FarmError.incomplete(missing);
      await manager.update(Farm, { id: farmId }, { status: 'submitted', submittedAt: new Date() });
      await this.audit.record(manager, actor, 'farm.submit', `farm:${farmId}`, {
        before: farm.status,
        after: 'submitted',
      });
      return this.load(manager, farmId);
    });
  }

  /** Compliance approves or rejects a submitted listing, with a reason. */
  decide(
    farmId: string,
    decision: 'approved' | 'rejected',
    reason: string,
    actor: Actor,
  ): Promise<Farm> {
    return this.write(async (manager) => {
      const farm = await this.lock(manager, { userId: '', operatorOnly: false }, farmId);
      assertTransition(farm.status, decision);
      await manager.update(
        Farm,
        { id: farmId },
        {
          status: decision,
          rejectionReason: decision === 'rejected' ? reason : null,
          decidedBy: actor.id,
          decidedAt: new Date(),
        },
      );
      await this.audit.record(
        manager,
        actor,
        `farm.${decision === 'approved' ? 'approve' : 'reject'}`,
        `farm:${farmId}`,
        {
          before: farm.status,
          after: decision,
          reason,
        },
      );
      return this.load(manager, farmId);
    });
  }

  /** The farm's token request; the farm itself must be visible to the viewer. */
  async token(viewer: FarmViewer, farmId: string): Promise<FarmToken> {
    await this.find(viewer, farmId);
    const token = await this.dataSource.getRepository(FarmToken).findOneBy({ farmId });
    if (!token) throw FarmError.notTokenized();
    return token;
  }

  async find(viewer: FarmViewer, farmId: string): Promise<Farm> {
    const farm = await this.dataSource.getRepository(Farm).findOne({
      where: scoped(viewer, farmId),
      relations: { nodes: true, documents: true },
    });
    if (!farm) throw FarmError.notFound();
    return farm;
  }

  async list(
    viewer: FarmViewer,
    query: { status?: FarmStatus; limit: number; offset: number },
  ): Promise<{ items: Farm[]; total: number }> {
    const where: FindOptionsWhere<Farm> = viewer.operatorOnly ? { operatorId: viewer.userId } : {};
    if (query.status) where.status = query.status;
    const [items, total] = await this.dataSource.getRepository(Farm).findAndCount({
      where,
      relations: { nodes: true, documents: true },
      order: { createdAt: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    return { items, total };
  }

  /** A GPU UUID listed twice is a 409, whichever farm holds it. */
  private write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work).catch((error: unknown) => {
      if (isUniqueViolation(error)) throw FarmError.gpuAlreadyListed();
      throw error;
    });
  }

  private async lock(manager: EntityManager, viewer: FarmViewer, farmId: string): Promise<Farm> {
    const farm = await manager.findOne(Farm, {
      where: scoped(viewer, farmId),
      lock: { mode: 'pessimistic_write' },
    });
    if (!farm) throw FarmError.notFound();
    return farm;
  }

  private async replaceParts(
    manager: EntityManager,
    farmId: string,
    parts: Partial<Pick<FarmDraft, 'nodes' | 'documents'>>,
  ): Promise<void> {
    if (parts.nodes) {
      await manager.delete(GpuNode, { farmId });
      if (parts.nodes.length)
        await manager.insert(
          GpuNode,
          parts.nodes.map((node) => ({ ...node, farmId })),
        );
    }
    if (parts.documents) {
      await manager.delete(FarmDocument, { farmId });
      if (parts.documents.length)
        await manager.insert(
          FarmDocument,
          parts.documents.map((document) => ({ ...document, farmId })),
        );
    }
  }

  /** Every uptime epoch must hold at least one probe of the farm. */
  private assertMonitorable(terms: Partial<FarmTerms>): void {
    const interval = terms.probeIntervalSeconds;
    if (interval !== undefined && interval > this.config.ORACLE_EPOCH_SECONDS) {
      throw FarmError.probeIntervalTooLong(interval, this.config.ORACLE_EPOCH_SECONDS);
    }
  }

  private async load(manager: EntityManager, farmId: string): Promise<Farm> {
    return manager.findOneOrFail(Farm, {
      where: { id: farmId },
      relations: { nodes: true, documents: true },
    });
  }
}

function scoped(viewer: FarmViewer, farmId: string): FindOptionsWhere<Farm> {
  return viewer.operatorOnly ? { id: farmId, operatorId: viewer.userId } : { id: farmId };
}

function terms(draft: Partial<FarmTerms>): Partial<FarmTerms> {
  const { name, legalEntity, jurisdiction, siteLocation, valuation, revenueShareBps } = draft;
  const { probeIntervalSeconds, slaUptimeBps, ratePerGpuHour } = draft;
  return Object.fromEntries(
    Object.entries({
      name,
      legalEntity,
      jurisdiction,
      siteLocation,
      valuation,
      revenueShareBps,
      probeIntervalSeconds,
      slaUptimeBps,
      ratePerGpuHour,
    }).filter(([, value]) => value !== undefined),
  );
}

/** The change as the audit log keeps it (its digest): amounts as strings. */
function describe(draft: Partial<FarmDraft>): unknown {
  return {
    ...draft,
    valuation: draft.valuation?.toString(),
    ratePerGpuHour: draft.ratePerGpuHour?.toString(),
  };
}
