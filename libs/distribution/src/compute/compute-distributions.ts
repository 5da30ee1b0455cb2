import { Inject, Injectable, Logger } from '@nestjs/common';
import { type JsonRpcProvider, ZeroHash } from 'ethers';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditLog, WORKER_ACTOR } from '@gpu/audit';
import { CHAIN_PROVIDER, DEPLOYMENT, type Deployment } from '@gpu/chain';
import { safeErrorMessage } from '@gpu/common';
import { AppConfig } from '@gpu/config';
import { AdvisoryLock, inTransaction } from '@gpu/database';
import { NODES_PER_CHUNK } from '../entities/distribution-tree-chunk.entity';
import { Distribution } from '../entities/distribution.entity';
import { buildRevenueTree, Keccak, revenueLeafHash } from '../merkle/revenue-tree';
import { type BlockTime, lastBlockBefore, rpcBlockTime } from '../snapshot/last-block-before';
import { type EntitlementPlan, planEntitlements } from './entitlement-plan';
import { holdersAt, recoveriesBetween } from './holder-snapshot';
import { DistributionPublisher } from './publish-distribution';

const MAX_UINT112 = (1n << 112n) - 1n;
/** Tree chunks per insert: 4 MiB. */
const CHUNKS_PER_INSERT = 256;

export interface ComputeOptions {
  /** Rows per insert. */
  batchSize?: number;
  /** Stops (throws) after this many batches: how tests show a killed computation resumes. */
  stopAfterBatches?: number;
}

export type ComputeOutcome = 'computed' | 'waiting' | 'busy';

export interface ComputeRound {
  computed: number;
  waiting: number;
  failed: number;
}

/** Why a computation stopped on purpose (tests). */
export class ComputationStopped extends Error {}

/** Seconds per phase of a computation, for its log line. */
class PhaseClock {
  private last = Date.now();
  private readonly laps: string[] = [];

  lap(phase: string): void {
    const now = Date.now();
    this.laps.push(`${phase} ${((now - this.last) / 1000).toFixed(1)} s`);
    this.last = now;
  }

  summary(): string {
    return this.laps.join(', ');
  }
}

interface BatchCounter {
  written: number;
  stopAfter?: number;
}

function countBatch(batches: BatchCounter): void {
  batches.written++;
  if (batches.written === batches.stopAfter) {
    throw new ComputationStopped(`stopped after ${batches.written} batches`);
  }
}

/**
 * Computes each farm's next distribution, in epoch order, once the one before it is published:
 * the snapshot at the last block before the epoch's end (from indexed transfers), floor pro-rata
 * entitlements with the dust carried, cumulative entitlements, the Merkle tree, and then, in one
 * transaction, the root, figures and publishRevenueRoot (with its funding) through the outbox.
 * Rows are written in account and position order under unique keys, so a computation killed
 * half-way resumes where it stopped and gives the same root.
 */
@Injectable()
export class ComputeDistributions {
  private readonly logger = new Logger(ComputeDistributions.name);
  private readonly blockTime: BlockTime;
  private keccak?: Promise<Keccak>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: DistributionPublisher,
    private readonly audit: AuditLog,
    private readonly config: AppConfig,
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
    @Inject(CHAIN_PROVIDER) provider: JsonRpcProvider,
  ) {
    this.blockTime = rpcBlockTime(provider);
  }

  async execute(): Promise<ComputeRound> {
    const due: { id: string }[] = await this.dataSource.query(
      `SELECT d.id FROM distribution d
        WHERE d.status = 'draft'
          AND NOT EXISTS (SELECT 1 FROM distribution p
                           WHERE p.farm_id = d.farm_id AND p.epoch < d.epoch AND p.status <> 'published')
        ORDER BY d.created_at`,
    );
    const round: ComputeRound = { computed: 0, waiting: 0, failed: 0 };
    for (const { id } of due) {
      try {
        const outcome = await this.compute(id);
        if (outcome === 'computed') round.computed++;
        else round.waiting++;
      } catch (error) {
        round.failed++;
        this.logger.error(`distribution ${id}: ${safeErrorMessage(error)}`);
      }
    }
    return round;
  }

  /** Computes one draft distribution, or resumes it; one computation per farm at a time. */
  async compute(id: string, options: ComputeOptions = {}): Promise<ComputeOutcome> {
    const { farmId } = await this.dataSource.getRepository(Distribution).findOneByOrFail({ id });
    const lock = new AdvisoryLock(this.config.DATABASE_URL, `distribution:${farmId}`);
    try {
      if (!(await lock.holdOrAcquire())) return 'busy';
      return await this.computeLocked(id, options);
    } finally {
      await lock.release();
    }
  }

  private async computeLocked(id: string, options: ComputeOptions): Promise<ComputeOutcome> {
    const repository = this.dataSource.getRepository(Distribution);
    const draft = await repository.findOneByOrFail({ id });
    if (draft.status !== 'draft') return 'computed';
    const previous = await repository.findOne({
      where: { farmId: draft.farmId, status: 'published' },
      order: { epoch: 'DESC' },
    });
    const snapshot = await this.snapshotBlock(draft);
    if (!snapshot) return 'waiting';

    const clock = new PhaseClock();
    const distributable = draft.holdersShare + (previous?.dustOut ?? 0n);
    const holders = await holdersAt(this.dataSource.manager, draft.token, snapshot);
    const before = await this.cumulativeOf(previous);
    const recoveries = await recoveriesBetween(
      this.dataSource.manager,
      draft.token,
      previous?.snapshotBlock ?? 0n,
      snapshot,
    );
    clock.lap('snapshot');
    const plan = planEntitlements(distributable, holders, before, recoveries);
    clock.lap('entitlements');
    if (plan.totalCumulative > MAX_UINT112) {
      throw new RangeError(`total cumulative entitlement ${plan.totalCumulative} exceeds uint112`);
    }
    const tree = await this.treeOf(plan, draft.token);
    clock.lap('tree');
    await this.startWriting(draft, tree.root, plan.lines.length);
    const batches = { written: 0, stopAfter: options.stopAfterBatches };
    const batchSize = options.batchSize ?? 20_000;
    await this.writeEntitlements(draft.id, plan, tree.positions, batchSize, batches);
    clock.lap('lines written');
    if (tree.nodes) await this.writeNodes(draft.id, tree.nodes, batches);
    clock.lap('tree written');

    const funding = plan.totalCumulative - (previous?.totalCumulative ?? 0n);
    await inTransaction(this.dataSource, async (manager) => {
      const [row] = await manager.query<{ status: string }[]>(
        `SELECT status FROM distribution WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (row.status !== 'draft') return;
      await this.assertComplete(manager, id, plan.lines.length, tree.nodes);
      const computed: Partial<Distribution> = {
        status: 'computed',
        dustIn: previous?.dustOut ?? 0n,
        distributable,
        supply: plan.supply,
        holders: plan.holders,
        accounts: plan.lines.length,
        processedAccounts: plan.lines.length,
        paid: plan.paid,
        dustOut: plan.dust,
        root: tree.root,
        totalCumulative: plan.totalCumulative,
        funding,
        computedAt: new Date(),
      };
      await manager.update(Distribution, { id }, computed);
      await this.publisher.enqueue(manager, { ...draft, ...computed } as Distribution);
      await this.audit.record(
        manager,
        WORKER_ACTOR,
        'distribution.computed',
        `distribution:${id}`,
        {
          farmId: draft.farmId,
          epoch: draft.epoch.toString(),
          snapshotBlock: snapshot.toString(),
          holders: plan.holders,
          distributable: distributable.toString(),
          paid: plan.paid.toString(),
          dust: plan.dust.toString(),
          root: tree.root,
          totalCumulative: plan.totalCumulative.toString(),
        },
      );
    });
    this.logger.log(
      `distribution ${id} (farm ${draft.farmId}, epoch ${draft.epoch}): ${plan.holders} holders, root ${tree.root}; ${clock.summary()}`,
    );
    return 'computed';
  }

  /**
   * Records the root the rows about to be written belong to. A resumed computation that arrives at
   * another root (the index under its snapshot changed, or the code did) drops what the earlier run
   * wrote and starts again, so rows of two plans never mix.
   */
  private async startWriting(draft: Distribution, root: string, lines: number): Promise<void> {
    await inTransaction(this.dataSource, async (manager) => {
      if (draft.root !== null && draft.root !== root) {
        this.logger.warn(
          `distribution ${draft.id}: resumed with root ${root}, not ${draft.root}; writing it again`,
        );
        await manager.query(`DELETE FROM distribution_entitlement WHERE distribution_id = $1`, [
          draft.id,
        ]);
        await manager.query(`DELETE FROM distribution_tree_chunk WHERE distribution_id = $1`, [
          draft.id,
        ]);
      }
      await manager.update(
        Distribution,
        { id: draft.id, status: 'draft' },
        {
          root,
          accounts: lines,
          processedAccounts: draft.root === root ? draft.processedAccounts : 0,
        },
      );
    });
  }

  /** Every line and tree chunk is there: the last check before the root is published. */
  private async assertComplete(
    manager: EntityManager,
    id: string,
    lines: number,
    nodes: Buffer | null,
  ): Promise<void> {
    const [written] = await manager.query<{ lines: number; bytes: string | null }[]>(
      `SELECT (SELECT count(*)::int FROM distribution_entitlement WHERE distribution_id = $1) AS lines,
              (SELECT sum(length(nodes))::text FROM distribution_tree_chunk WHERE distribution_id = $1) AS bytes`,
      [id],
    );
    const bytes = Number(written.bytes ?? 0);
    if (written.lines !== lines || bytes !== (nodes?.length ?? 0)) {
      throw new Error(
        `distribution ${id} is incomplete: ${written.lines} of ${lines} lines, ${bytes} of ${nodes?.length ?? 0} tree bytes`,
      );
    }
  }

  /** Entitlement rows in account order from where an earlier run stopped, each batch with the progress. */
  private async writeEntitlements(
    id: string,
    plan: EntitlementPlan,
    positions: readonly (number | null)[],
    batchSize: number,
    batches: BatchCounter,
  ): Promise<void> {
    const [{ done }] = await this.dataSource.query<{ done: number }[]>(
      `SELECT count(*)::int AS done FROM distribution_entitlement WHERE distribution_id = $1`,
      [id],
    );
    for (let start = done; start < plan.lines.length; start += batchSize) {
      const lines = plan.lines.slice(start, start + batchSize);
      await inTransaction(this.dataSource, async (manager) => {
        await manager.query(
          `INSERT INTO distribution_entitlement (distribution_id, account, balance, amount, cumulative, position)
           SELECT $1, * FROM unnest($2::text[], $3::numeric[], $4::numeric[], $5::numeric[], $6::integer[])
           ON CONFLICT DO NOTHING`,
          [
            id,
            lines.map((line) => line.account),
            lines.map((line) => line.balance.toString()),
            lines.map((line) => line.amount.toString()),
            lines.map((line) => line.cumulative.toString()),
            positions.slice(start, start + batchSize),
          ],
        );
        await manager.update(Distribution, { id }, { processedAccounts: start + lines.length });
      });
      countBatch(batches);
    }
  }

  /** Tree nodes in chunks of NODES_PER_CHUNK, in order, from where an earlier run stopped. */
  private async writeNodes(id: string, nodes: Buffer, batches: BatchCounter): Promise<void> {
    const chunkBytes = NODES_PER_CHUNK * 32;
    const chunks = Math.ceil(nodes.length / chunkBytes);
    const [{ done }] = await this.dataSource.query<{ done: number }[]>(
      `SELECT count(*)::int AS done FROM distribution_tree_chunk WHERE distribution_id = $1`,
      [id],
    );
    for (let start = done; start < chunks; start += CHUNKS_PER_INSERT) {
      const end = Math.min(chunks, start + CHUNKS_PER_INSERT);
      await this.dataSource.query(
        `INSERT INTO distribution_tree_chunk (distribution_id, chunk, nodes)
         SELECT $1, c, substring($4::bytea FROM (c - $2) * $5 + 1 FOR $5)
           FROM generate_series($2::integer, $3::integer - 1) c
         ON CONFLICT DO NOTHING`,
        [id, start, end, nodes.subarray(start * chunkBytes, end * chunkBytes), chunkBytes],
      );
      countBatch(batches);
    }
  }

  /** The snapshot block, found once and kept; null while the index has not passed the epoch's end. */
  private async snapshotBlock(draft: Distribution): Promise<bigint | null> {
    if (draft.snapshotBlock !== null) {
      // A reorg deeper than the confirmations can move the index back under it: wait until it is there again.
      const [{ indexed }] = await this.dataSource.query<{ indexed: string | null }[]>(
        `SELECT max(block_number)::text AS indexed FROM index_cursor`,
      );
      return indexed !== null && BigInt(indexed) >= draft.snapshotBlock
        ? draft.snapshotBlock
        : null;
    }
    const [bounds] = await this.dataSource.query<
      { ends_at: Date; from_block: string | null; indexed: string | null }[]
    >(
      `SELECT e.ends_at,
              (SELECT from_block::text FROM indexed_contract WHERE address = $2) AS from_block,
              (SELECT max(block_number)::text FROM index_cursor) AS indexed
         FROM uptime_epoch e WHERE e.farm_id = $1 AND e.epoch = $3`,
      [draft.farmId, draft.token, draft.epoch.toString()],
    );
    if (!bounds?.from_block || !bounds.indexed) return null;
    const end = BigInt(Math.floor(bounds.ends_at.getTime() / 1000));
    const mark = await lastBlockBefore(
      this.blockTime,
      end,
      BigInt(bounds.from_block),
      BigInt(bounds.indexed),
    );
    if (!mark) return null;
    await this.dataSource.getRepository(Distribution).update(
      { id: draft.id, status: 'draft' },
      {
        snapshotBlock: mark.number,
        snapshotBlockTime: new Date(Number(mark.timestamp) * 1000),
      },
    );
    return mark.number;
  }

  private async cumulativeOf(previous: Distribution | null): Promise<Map<string, bigint>> {
    if (!previous) return new Map();
    const rows = await this.dataSource.query<{ account: string; cumulative: string }[]>(
      `SELECT account, cumulative::text AS cumulative FROM distribution_entitlement
        WHERE distribution_id = $1 AND cumulative > 0`,
      [previous.id],
    );
    return new Map(rows.map((row) => [row.account, BigInt(row.cumulative)]));
  }

  private async treeOf(
    plan: EntitlementPlan,
    token: string,
  ): Promise<{ root: string; nodes: Buffer | null; positions: (number | null)[] }> {
    const keccak = await (this.keccak ??= Keccak.create());
    const leafLines: number[] = [];
    const leaves: Buffer[] = [];
    plan.lines.forEach((line, i) => {
      if (line.cumulative === 0n) return;
      leafLines.push(i);
      leaves.push(
        revenueLeafHash(
          keccak,
          BigInt(this.deployment.chainId),
          token,
          line.account,
          line.cumulative,
        ),
      );
    });
    const positions = new Array<number | null>(plan.lines.length).fill(null);
    if (leaves.length === 0) return { root: ZeroHash, nodes: null, positions };
    const tree = buildRevenueTree(keccak, leaves);
    leafLines.forEach((line, leaf) => (positions[line] = tree.positions[leaf]));
    return { root: tree.root, nodes: tree.nodes, positions };
  }
}
