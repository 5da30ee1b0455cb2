import { Injectable } from '@nestjs/common';
import { DataSource, type FindOptionsWhere, In } from 'typeorm';
import { type Actor, AuditLog } from '@gpu/audit';
import { Farm, FarmError } from '@gpu/farms';
import type { Principal } from '@gpu/identity';
import { MONITORED_FARM_STATUSES } from '@gpu/oracle';
import { DistributionPublisher } from './compute/publish-distribution';
import { DistributionError } from './distribution.errors';
import { proofPositions } from './merkle/revenue-tree';
import { NODES_PER_CHUNK } from './entities/distribution-tree-chunk.entity';
import { Distribution } from './entities/distribution.entity';
import { RevenueReport } from './entities/revenue-report.entity';

/** An account's claim on a farm token's latest published root. */
export interface RevenueClaim {
  farmId: string;
  token: string;
  wallet: string;
  distributionId: string;
  epoch: string;
  root: string;
  /** The cumulative entitlement in the root's leaf: what a claim proves. */
  cumulative: string;
  /** What the wallet has claimed so far (indexed RevenueClaimed events). */
  claimed: string;
  claimable: string;
  /** Recovered to another wallet of its investor: it can claim nothing, the new wallet claims. */
  recovered: boolean;
  /** A frozen wallet stays entitled but can claim only once unfrozen. */
  frozen: boolean;
  proof: string[];
}

/** One line of an investor's statement: a wallet's share of one distribution. */
export interface StatementLine {
  farmId: string;
  farmName: string;
  token: string;
  epoch: string;
  distributionId: string;
  status: string;
  snapshotBlock: string;
  wallet: string;
  balance: string;
  supply: string;
  distributable: string;
  amount: string;
  cumulative: string;
}

export const STATEMENT_COLUMNS: readonly (keyof StatementLine)[] = [
  'farmId',
  'farmName',
  'token',
  'epoch',
  'distributionId',
  'status',
  'snapshotBlock',
  'wallet',
  'balance',
  'supply',
  'distributable',
  'amount',
  'cumulative',
];

/**
 * Distributions as investors, operators and compliance read them: per farm with the breakdown and
 * progress, an account's claim with its proof, and investors' statements.
 */
@Injectable()
export class DistributionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    private readonly publisher: DistributionPublisher,
  ) {}

  async list(
    principal: Principal,
    farmId: string,
    page: { limit: number; offset: number },
  ): Promise<{ items: Distribution[]; total: number }> {
    await this.visibleFarm(principal, farmId);
    const [items, total] = await this.dataSource.getRepository(Distribution).findAndCount({
      where: { farmId },
      order: { epoch: 'DESC' },
      take: page.limit,
      skip: page.offset,
    });
    return { items, total };
  }

  /** The revenue reports the distributions distribute, by id. */
  async reportsOf(distributions: Distribution[]): Promise<Map<string, RevenueReport>> {
    if (distributions.length === 0) return new Map();
    const reports = await this.dataSource.getRepository(RevenueReport).findBy({
      id: In(distributions.map((d) => d.revenueReportId)),
    });
    return new Map(reports.map((report) => [report.id, report]));
  }

  async find(principal: Principal, id: string): Promise<Distribution> {
    const distribution = await this.dataSource.getRepository(Distribution).findOneBy({ id });
    if (!distribution) throw DistributionError.notFound();
    await this.visibleFarm(principal, distribution.farmId).catch(() => {
      throw DistributionError.notFound();
    });
    return distribution;
  }

  /** The wallet's claim on the farm token's latest published root; investors ask for their own wallets. */
  async claim(principal: Principal, farmId: string, wallet: string): Promise<RevenueClaim> {
    const account = wallet.toLowerCase();
    if (principal.role === 'investor') {
      const own = await this.dataSource.query<unknown[]>(
        `SELECT 1 FROM wallet WHERE user_id = $1 AND address = $2`,
        [principal.userId, account],
      );
      if (own.length === 0) throw DistributionError.walletNotFound();
    }
    await this.visibleFarm(principal, farmId);
    // One round trip: the latest published root, the wallet's line, what it claimed, whether it is
    // frozen, and the proof: the siblings on the leaf's path (OpenZeppelin's layout: the sibling of
    // node i is i + 1 when i is odd, else i - 1; its parent is (i - 1) / 2).
    const [row] = await this.dataSource.query<
      {
        distribution_id: string;
        token: string;
        epoch: string;
        root: string;
        cumulative: string | null;
        position: number | null;
        claimed: string;
        recovered: boolean;
        frozen: boolean | null;
        proof: Buffer[] | null;
      }[]
    >(
      `WITH RECURSIVE latest AS (
         SELECT id, token, epoch, root FROM distribution
          WHERE farm_id = $1 AND status = 'published' ORDER BY epoch DESC LIMIT 1
       ), line AS (
         SELECT e.cumulative, e.position FROM distribution_entitlement e JOIN latest l
             ON e.distribution_id = l.id AND e.account = $2::character(42)
       ), lineage (account) AS (
         -- The wallet and every wallet recovered into it: the token passes on what they claimed.
         SELECT $2::text
         UNION
         SELECT r.args->>'lostWallet' FROM chain_event r JOIN lineage g ON r.args->>'newWallet' = g.account
          WHERE r.address = (SELECT token FROM latest) AND r.name = 'WalletRecovered'
       ), path (node, level) AS (
         SELECT position, 0 FROM line WHERE position IS NOT NULL
         UNION ALL SELECT (node - 1) / 2, level + 1 FROM path WHERE node > 0
       )
       SELECT l.id AS distribution_id, l.token, l.epoch::text AS epoch, l.root,
              (SELECT cumulative::text FROM line) AS cumulative, (SELECT position FROM line) AS position,
              coalesce((SELECT max((args->>'cumulative')::numeric) FROM chain_event
                WHERE address = l.token AND name = 'RevenueClaimed'
                  AND args->>'account' IN (SELECT account FROM lineage)), 0)::text AS claimed,
              EXISTS (SELECT 1 FROM chain_event WHERE address = l.token AND name = 'WalletRecovered'
                AND args->>'lostWallet' = $2) AS recovered,
              (SELECT (args->>'frozen')::boolean FROM chain_event
                WHERE address = l.token AND name = 'WalletFrozen' AND args->>'account' = $2
                ORDER BY block_number DESC, log_index DESC LIMIT 1) AS frozen,
              (SELECT array_agg(substring(c.nodes FROM (s.sibling % $3) * 32 + 1 FOR 32) ORDER BY s.level)
                 FROM (SELECT level, CASE WHEN node % 2 = 1 THEN node + 1 ELSE node - 1 END AS sibling
                         FROM path WHERE node > 0) s
                 JOIN distribution_tree_chunk c ON c.distribution_id = l.id AND c.chunk = s.sibling / $3) AS proof
         FROM latest l`,
      [farmId, account, NODES_PER_CHUNK],
    );
    if (!row) throw DistributionError.nothingPublished();
    const cumulative = BigInt(row.cumulative ?? 0);
    const claimed = BigInt(row.claimed);
    const proof = (row.proof ?? []).map((hash) => `0x${hash.toString('hex')}`);
    const expected = row.position === null ? 0 : proofPositions(row.position).length;
    if (proof.length !== expected || proof.some((hash) => hash.length !== 66)) {
      throw new Error(`distribution ${row.distribution_id} misses tree nodes`);
    }
    return {
      farmId,
      token: row.token,
      wallet: account,
      distributionId: row.distribution_id,
      epoch: row.epoch,
      root: row.root,
      cumulative: cumulative.toString(),
      claimed: claimed.toString(),
      claimable: (!row.recovered && cumulative > claimed ? cumulative - claimed : 0n).toString(),
      recovered: row.recovered,
      frozen: row.frozen === true,
      proof,
    };
  }

  /** An investor's lines per distribution, by epoch; investors read their own only. */
  async statement(
    principal: Principal,
    investorId: string,
    filter: { epoch?: bigint; farmId?: string },
  ): Promise<StatementLine[]> {
    if (principal.role === 'investor' && principal.userId !== investorId) {
      throw DistributionError.walletNotFound();
    }
    return this.dataSource.query<StatementLine[]>(
      `SELECT d.farm_id AS "farmId", f.name AS "farmName", d.token, d.epoch::text AS epoch,
              d.id AS "distributionId", d.status, d.snapshot_block::text AS "snapshotBlock",
              e.account AS wallet, e.balance::text AS balance, d.supply::text AS supply,
              d.distributable::text AS distributable, e.amount::text AS amount,
              e.cumulative::text AS cumulative
         FROM wallet w
         JOIN distribution_entitlement e ON e.account = w.address::character(42)
         JOIN distribution d ON d.id = e.distribution_id
         JOIN farm f ON f.id = d.farm_id
        WHERE w.user_id = $1 AND d.status IN ('computed', 'published')
          AND ($2::bigint IS NULL OR d.epoch = $2) AND ($3::uuid IS NULL OR d.farm_id = $3)
        ORDER BY d.epoch, f.name, d.farm_id, e.account`,
      [investorId, filter.epoch?.toString() ?? null, filter.farmId ?? null],
    );
  }

  /** Sends a computed distribution whose publication was refused on chain again (attempt n + 1). */
  async republish(id: string, actor: Actor): Promise<Distribution> {
    return this.dataSource.transaction(async (manager) => {
      const distribution = await manager.findOne(Distribution, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!distribution) throw DistributionError.notFound();
      if (distribution.status !== 'computed' || distribution.publishFailure === null) {
        throw DistributionError.notRepublishable(
          `Only a computed distribution whose publication failed is published again; this one is ${distribution.status}${distribution.publishFailure === null ? ' without a failure' : ''}`,
        );
      }
      await this.publisher.enqueue(manager, distribution);
      await this.audit.record(manager, actor, 'distribution.republish', `distribution:${id}`, {
        attempt: distribution.publishAttempts + 1,
        previousFailure: distribution.publishFailure,
      });
      return manager.findOneByOrFail(Distribution, { id });
    });
  }

  private async visibleFarm(principal: Principal, farmId: string): Promise<Farm> {
    const where: FindOptionsWhere<Farm> = { id: farmId };
    if (principal.role === 'operator') where.operatorId = principal.userId;
    if (principal.role === 'investor') where.status = In([...MONITORED_FARM_STATUSES, 'retired']);
    const farm = await this.dataSource.getRepository(Farm).findOneBy(where);
    if (!farm) throw FarmError.notFound();
    return farm;
  }
}
