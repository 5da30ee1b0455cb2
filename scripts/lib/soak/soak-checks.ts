import { type JsonRpcProvider, ZeroAddress, id, zeroPadValue } from 'ethers';
import type { Client } from 'pg';
import { GpuFarmToken__factory } from '../../../libs/chain/src/generated';
import type { SoakClient } from './soak-client';
import type { Workload } from './workload';

/** One thing the soak found wrong, with what it was about. */
export interface Finding {
  check: string;
  detail: string;
}

export interface SoakVerdict {
  dbChainMismatches: number;
  duplicateEffects: number;
  auditChainValid: boolean;
  payoutsPlusDustEqualsDistributed: boolean;
  oversold: number;
  /** Effects still not done after the settling time: paid orders not settled, transactions not final... */
  lostEffects: number;
  findings: Finding[];
  figures: Record<string, number | string>;
}

const TRANSFER_TOPIC = id('Transfer(address,address,uint256)');
const ORDER_SETTLED_TOPIC = id('OrderSettled(bytes32,address,address,uint256,uint256,address)');

/**
 * What must hold after the storm, each checked against an independent source where there is one:
 * the chain itself (balances, supply, mints, revenue roots, claims, freezes, every transaction the
 * platform's keys sent), the database's own accounts, and the API's answers.
 */
export class SoakChecks {
  private readonly findings: Finding[] = [];

  constructor(
    private readonly db: Client,
    private readonly chain: JsonRpcProvider,
    private readonly officer: SoakClient,
    private readonly workload: Workload,
    private readonly saleAddress: string,
  ) {}

  /** Things that should have finished but have not; empty when everything is done. */
  async unfinished(): Promise<Record<string, number>> {
    const counts = await this.db.query<Record<string, string>>(`
      SELECT
        (SELECT count(*) FROM investment_order WHERE status = 'paid') AS "paidOrdersNotSettled",
        (SELECT count(*) FROM chain_tx WHERE state NOT IN ('confirmed', 'failed')) AS "transactionsNotFinal",
        (SELECT count(*) FROM enforcement_action WHERE status = 'pending') AS "enforcementPending",
        (SELECT count(*) FROM revenue_report r WHERE r.status IN ('accepted', 'approved')
           AND NOT EXISTS (SELECT 1 FROM distribution d WHERE d.revenue_report_id = r.id AND d.status = 'published'))
          AS "reportsNotPublished",
        (SELECT count(*) FROM uptime_epoch WHERE status NOT IN ('accepted', 'failed')) AS "epochsNotOnChain"`);
    const row = counts.rows[0];
    const result: Record<string, number> = {};
    for (const [key, value] of Object.entries(row))
      if (Number(value) > 0) result[key] = Number(value);
    const head = await this.chain.getBlockNumber();
    const cursor = await this.db.query<{ block_number: string }>(
      'SELECT block_number FROM index_cursor',
    );
    const indexed = Number(cursor.rows[0]?.block_number ?? 0);
    if (indexed < head - 4) result.indexerBehindBlocks = head - indexed;
    const settled = await this.db.query<{ id: string; status: string }>(
      'SELECT id, status FROM investment_order WHERE id = ANY($1)',
      [[...this.workload.paidOrders]],
    );
    // Settled, or refused on chain at settlement (the wallet was frozen since) and refunded.
    const notSettled = settled.rows.filter(
      (row) => !['settled', 'refunded'].includes(row.status),
    ).length;
    if (notSettled) result.ourPaidOrdersNotSettled = notSettled;
    return result;
  }

  async verdict(lostEffects: number): Promise<SoakVerdict> {
    const mismatches =
      (await this.balancesAndSupply()) +
      (await this.mints()) +
      (await this.freezes()) +
      (await this.revenueRoots()) +
      (await this.claims()) +
      (await this.platformTransactions()) +
      (await this.reconciliation());
    const duplicates =
      this.workload.counts.idempotencyDuplicates +
      this.mintExcess +
      this.unknownPlatformTxs +
      this.twiceMinedIntents +
      (await this.settlementsTwice()) +
      (await this.duplicateRows());
    if (this.workload.counts.idempotencyDuplicates)
      this.find(
        'idempotency',
        `${this.workload.counts.idempotencyDuplicates} replays came back as another order or action`,
      );
    return {
      dbChainMismatches: mismatches,
      duplicateEffects: duplicates,
      auditChainValid: await this.audit(),
      payoutsPlusDustEqualsDistributed: await this.payouts(),
      oversold: await this.oversold(),
      lostEffects,
      findings: this.findings,
      figures: await this.figures(),
    };
  }

  private mintExcess = 0;
  private unknownPlatformTxs = 0;
  private twiceMinedIntents = 0;

  private find(check: string, detail: string): void {
    this.findings.push({ check, detail });
  }

  private async tokens(): Promise<{ farmId: string; token: string }[]> {
    const rows = await this.db.query<{ farm_id: string; token_address: string }>(
      `SELECT farm_id, token_address FROM farm_token WHERE status = 'confirmed'`,
    );
    return rows.rows.map((row) => ({ farmId: row.farm_id, token: row.token_address }));
  }

  /** Every indexed balance, and every investor wallet's, equals balanceOf; indexed supply equals totalSupply. */
  private async balancesAndSupply(): Promise<number> {
    let mismatches = 0;
    for (const { token } of await this.tokens()) {
      const contract = GpuFarmToken__factory.connect(token, this.chain);
      const indexed = await this.db.query<{ holder: string; balance: string }>(
        'SELECT holder, balance FROM token_balance WHERE token = $1',
        [token],
      );
      const balances = new Map(indexed.rows.map((row) => [row.holder, BigInt(row.balance)]));
      for (const investor of this.workload.investors) {
        const wallet = investor.wallet.address.toLowerCase();
        if (!balances.has(wallet)) balances.set(wallet, 0n);
      }
      for (const [holder, balance] of balances) {
        const onChain = await contract.balanceOf(holder);
        if (onChain !== balance) {
          mismatches += 1;
          this.find('balance', `${token} ${holder}: indexed ${balance}, chain ${onChain}`);
        }
      }
      const supply = await this.db.query<{ total_supply: string }>(
        'SELECT total_supply FROM indexed_contract WHERE address = $1',
        [token],
      );
      const onChain = await contract.totalSupply();
      if (BigInt(supply.rows[0]?.total_supply ?? -1) !== onChain) {
        mismatches += 1;
        this.find('supply', `${token}: indexed ${supply.rows[0]?.total_supply}, chain ${onChain}`);
      }
    }
    return mismatches;
  }

  /** Fractions minted on chain equal the settled orders' fractions: more would be a double settlement. */
  private async mints(): Promise<number> {
    let mismatches = 0;
    for (const { token } of await this.tokens()) {
      const logs = await this.chain.getLogs({
        address: token,
        fromBlock: 0,
        toBlock: 'latest',
        topics: [TRANSFER_TOPIC, zeroPadValue(ZeroAddress, 32)],
      });
      const minted = logs.reduce((sum, log) => sum + BigInt(log.data), 0n);
      const settled = await this.db.query<{ fractions: string }>(
        `SELECT coalesce(sum(fractions), 0) AS fractions FROM investment_order WHERE token_address = $1 AND status = 'settled'`,
        [token],
      );
      const expected = BigInt(settled.rows[0].fractions);
      if (minted > expected) {
        this.mintExcess += 1;
        this.find('mint', `${token}: ${minted} minted on chain, settled orders hold ${expected}`);
      } else if (minted < expected) {
        mismatches += 1;
        this.find('mint', `${token}: ${minted} minted on chain, settled orders hold ${expected}`);
      }
    }
    return mismatches;
  }

  /** Each order settled on chain once. */
  private async settlementsTwice(): Promise<number> {
    const logs = await this.chain.getLogs({
      address: this.saleAddress,
      fromBlock: 0,
      toBlock: 'latest',
      topics: [ORDER_SETTLED_TOPIC],
    });
    const seen = new Map<string, number>();
    for (const log of logs) seen.set(log.topics[1], (seen.get(log.topics[1]) ?? 0) + 1);
    let twice = 0;
    for (const [orderId, times] of seen)
      if (times > 1) {
        twice += times - 1;
        this.find('settlement', `order ${orderId} settled ${times} times on chain`);
      }
    return twice;
  }

  /** The officer's confirmed freezes and unfreezes are the chain's state. */
  private async freezes(): Promise<number> {
    let mismatches = 0;
    for (const farm of this.workload.farms) {
      const token = GpuFarmToken__factory.connect(farm.token, this.chain);
      for (const investor of this.workload.investors) {
        const wallet = investor.wallet.address.toLowerCase();
        const expected = this.workload.frozen.has(`${farm.id}:${wallet}`);
        if ((await token.isWalletFrozen(wallet)) !== expected) {
          mismatches += 1;
          this.find(
            'freeze',
            `${farm.token} ${wallet}: API says frozen=${expected}, chain disagrees`,
          );
        }
      }
    }
    return mismatches;
  }

  /** The latest published distribution of each token is the root, epoch and total on chain. */
  private async revenueRoots(): Promise<number> {
    let mismatches = 0;
    for (const { farmId, token } of await this.tokens()) {
      const latest = await this.db.query<{ root: string; epoch: string; total_cumulative: string }>(
        `SELECT root, epoch, total_cumulative FROM distribution WHERE farm_id = $1 AND status = 'published' ORDER BY epoch DESC LIMIT 1`,
        [farmId],
      );
      const [root, epoch, totalCumulative] = await GpuFarmToken__factory.connect(
        token,
        this.chain,
      ).revenue();
      const row = latest.rows[0];
      const same = row
        ? row.root === root &&
          BigInt(row.epoch) === epoch &&
          BigInt(row.total_cumulative) === totalCumulative
        : totalCumulative === 0n;
      if (!same) {
        mismatches += 1;
        this.find(
          'revenue root',
          `${token}: published ${JSON.stringify(row)}, chain ${root} epoch ${epoch} total ${totalCumulative}`,
        );
      }
    }
    return mismatches;
  }

  /** What the API says each wallet claimed is what the token paid it. */
  private async claims(): Promise<number> {
    let mismatches = 0;
    for (const farm of this.workload.farms) {
      const token = GpuFarmToken__factory.connect(farm.token, this.chain);
      for (const investor of this.workload.investors) {
        const answer = await this.officer.send(
          'GET',
          `/farms/${farm.id}/claims/${investor.wallet.address}`,
        );
        if (answer.status === 404) continue;
        const onChain = await token.claimedRevenueOf(investor.wallet.address);
        if (BigInt(String(answer.body.claimed)) !== onChain) {
          mismatches += 1;
          this.find(
            'claim',
            `${farm.token} ${investor.wallet.address}: API claimed ${String(answer.body.claimed)}, chain ${onChain}`,
          );
        }
      }
    }
    return mismatches;
  }

  /**
   * Every transaction the platform's keys got mined is one attempt of one outbox row, no row got
   * two mined, and every row the database calls confirmed is on chain with that outcome.
   */
  private async platformTransactions(): Promise<number> {
    const signers = await this.db.query<{ address: string }>('SELECT address FROM chain_signer');
    const platform = new Set(signers.rows.map((row) => row.address.toLowerCase()));
    const attempts = await this.db.query<{ hash: string; chain_tx_id: string }>(
      'SELECT hash, chain_tx_id FROM chain_tx_attempt',
    );
    const intentOf = new Map(attempts.rows.map((row) => [row.hash, row.chain_tx_id]));
    const minedPerIntent = new Map<string, number>();
    const head = await this.chain.getBlockNumber();
    for (let number = 0; number <= head; number++) {
      const block = await this.chain.getBlock(number, true);
      for (const tx of block?.prefetchedTransactions ?? []) {
        if (!platform.has(tx.from.toLowerCase())) continue;
        const intent = intentOf.get(tx.hash);
        if (!intent) {
          this.unknownPlatformTxs += 1;
          this.find(
            'platform tx',
            `${tx.hash} (nonce ${tx.nonce}) from ${tx.from} is no outbox row's attempt`,
          );
          continue;
        }
        minedPerIntent.set(intent, (minedPerIntent.get(intent) ?? 0) + 1);
      }
    }
    for (const [intent, times] of minedPerIntent)
      if (times > 1) {
        this.twiceMinedIntents += times - 1;
        this.find('platform tx', `outbox row ${intent} mined ${times} times`);
      }
    let mismatches = 0;
    const confirmed = await this.db.query<{ id: string; tx_hash: string; succeeded: boolean }>(
      `SELECT id, tx_hash, succeeded FROM chain_tx WHERE state = 'confirmed'`,
    );
    for (const row of confirmed.rows) {
      const receipt = await this.chain.getTransactionReceipt(row.tx_hash);
      if (!receipt || (receipt.status === 1) !== row.succeeded || !minedPerIntent.has(row.id)) {
        mismatches += 1;
        this.find(
          'platform tx',
          `outbox row ${row.id} confirmed as ${row.tx_hash} (succeeded ${row.succeeded}); chain: ${receipt ? `status ${receipt.status}` : 'no such transaction'}`,
        );
      }
    }
    return mismatches;
  }

  /** The platform's own reconciliation, run after the storm, agrees. */
  private async reconciliation(): Promise<number> {
    const run = await this.db.query<{ mismatch_count: number }>(
      'SELECT mismatch_count FROM reconciliation_run ORDER BY id DESC LIMIT 1',
    );
    const count = run.rows[0]?.mismatch_count ?? 0;
    if (count)
      this.find('reconciliation', `the latest reconciliation run found ${count} mismatches`);
    return count;
  }

  /** Rows that must be unique by what they record (the constraints say so; this checks they held). */
  private async duplicateRows(): Promise<number> {
    const checks: [string, string][] = [
      [
        'gpu samples per GPU and slot',
        'SELECT gpu_node_id, slot_at FROM gpu_sample GROUP BY 1, 2 HAVING count(*) > 1',
      ],
      [
        'uptime epochs per farm',
        'SELECT farm_id, epoch FROM uptime_epoch GROUP BY 1, 2 HAVING count(*) > 1',
      ],
      [
        'distributions per farm and epoch',
        'SELECT farm_id, epoch FROM distribution GROUP BY 1, 2 HAVING count(*) > 1',
      ],
      [
        'entitlements per distribution and account',
        'SELECT distribution_id, account FROM distribution_entitlement GROUP BY 1, 2 HAVING count(*) > 1',
      ],
      [
        'indexed transfers per log',
        'SELECT tx_hash, log_index FROM token_transfer GROUP BY 1, 2 HAVING count(*) > 1',
      ],
      [
        'orders per chain order id',
        'SELECT chain_order_id FROM investment_order GROUP BY 1 HAVING count(*) > 1',
      ],
    ];
    let duplicates = 0;
    for (const [what, sql] of checks) {
      const rows = await this.db.query(sql);
      if (rows.rowCount) {
        duplicates += rows.rowCount;
        this.find('duplicate rows', `${rows.rowCount} ${what}`);
      }
    }
    return duplicates;
  }

  private async audit(): Promise<boolean> {
    const result = await this.officer.get('/audit/verify');
    const anchors = result.anchors as { mismatches: unknown[] };
    const valid = result.valid === true && anchors.mismatches.length === 0;
    if (!valid) this.find('audit', JSON.stringify(result).slice(0, 500));
    return valid;
  }

  /** Per published distribution: paid + dust = distributable, lines sum to paid, dust carried on, totals cumulative. */
  private async payouts(): Promise<boolean> {
    const rows = await this.db.query<{
      id: string;
      farm_id: string;
      epoch: string;
      holders_share: string;
      dust_in: string;
      distributable: string;
      paid: string;
      dust_out: string;
      total_cumulative: string;
      lines: string;
    }>(`
      SELECT d.id, d.farm_id, d.epoch, d.holders_share, d.dust_in, d.distributable, d.paid, d.dust_out,
             d.total_cumulative,
             (SELECT coalesce(sum(amount), 0) FROM distribution_entitlement e WHERE e.distribution_id = d.id) AS lines
        FROM distribution d WHERE d.status = 'published' ORDER BY d.farm_id, d.epoch`);
    let ok = true;
    let farm = '';
    let dust = 0n;
    let total = 0n;
    for (const row of rows.rows) {
      if (row.farm_id !== farm) [farm, dust, total] = [row.farm_id, 0n, 0n];
      total += BigInt(row.paid);
      const problems = [
        BigInt(row.paid) + BigInt(row.dust_out) !== BigInt(row.distributable) &&
          'paid + dust != distributable',
        BigInt(row.holders_share) + BigInt(row.dust_in) !== BigInt(row.distributable) &&
          'share + dust in != distributable',
        BigInt(row.lines) !== BigInt(row.paid) && `lines sum to ${row.lines}, not paid ${row.paid}`,
        BigInt(row.dust_in) !== dust && `dust in ${row.dust_in}, previous dust out ${dust}`,
        BigInt(row.total_cumulative) !== total &&
          `total ${row.total_cumulative}, sum of paid ${total}`,
      ].filter(Boolean);
      if (problems.length) {
        ok = false;
        this.find('payouts', `distribution ${row.id} (epoch ${row.epoch}): ${problems.join('; ')}`);
      }
      dust = BigInt(row.dust_out);
    }
    return ok;
  }

  /** Per offering: never more sold than offered, sold = live orders, nobody over the per-investor cap. */
  private async oversold(): Promise<number> {
    const rows = await this.db.query<{
      id: string;
      offered: string;
      sold: string;
      live: string;
      over_cap: string;
    }>(`
      SELECT o.id, o.fractions_offered AS offered, o.fractions_offered - o.remaining AS sold,
             (SELECT coalesce(sum(fractions), 0) FROM investment_order i
               WHERE i.offering_id = o.id AND i.status IN ('reserved', 'paid', 'settled')) AS live,
             (SELECT count(*) FROM offering_allocation a WHERE a.offering_id = o.id AND a.ordered > o.max_per_investor) AS over_cap
        FROM offering o`);
    let oversold = 0;
    for (const row of rows.rows) {
      if (
        BigInt(row.sold) > BigInt(row.offered) ||
        BigInt(row.sold) !== BigInt(row.live) ||
        Number(row.over_cap) > 0
      ) {
        oversold += 1;
        this.find(
          'oversold',
          `offering ${row.id}: offered ${row.offered}, sold ${row.sold}, live orders ${row.live}, investors over the cap ${row.over_cap}`,
        );
      }
    }
    return oversold;
  }

  private async figures(): Promise<Record<string, number>> {
    const row = (
      await this.db.query<Record<string, string>>(`
      SELECT
        (SELECT count(*) FROM investment_order WHERE status = 'settled') AS "ordersSettled",
        (SELECT count(*) FROM investment_order WHERE status IN ('expired', 'cancelled')) AS "ordersExpiredOrCancelled",
        (SELECT count(*) FROM chain_tx WHERE state = 'confirmed') AS "transactionsConfirmed",
        (SELECT count(*) FROM chain_tx WHERE state = 'failed') AS "transactionsFailed",
        (SELECT count(*) FROM distribution WHERE status = 'published') AS "distributionsPublished",
        (SELECT count(*) FROM uptime_epoch WHERE status = 'accepted') AS "epochReportsOnChain",
        (SELECT count(*) FROM gpu_sample) AS "samples",
        (SELECT count(*) FROM enforcement_action WHERE status = 'confirmed') AS "enforcementConfirmed",
        (SELECT count(*) FROM audit_entry) AS "auditEntries"`)
    ).rows[0];
    return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, Number(value)]));
  }
}
