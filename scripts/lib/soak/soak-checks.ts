import { type JsonRpcProvider, ZeroAddress, id, zeroPadValue } from 'ethers';
import type { Client } from 'pg';
import {
  GpuFarmToken__factory,
  IdentityRegistry__factory,
  MockStablecoin__factory,
  PrimarySale__factory,
} from '../../../libs/chain/src/generated';
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
const ORDER_REFUNDED_TOPIC = id('OrderRefunded(bytes32,address,address,uint256,bool)');
/** PrimarySale.OrderStatus (None, Paid, Settled, Refunded) that each database order status allows. */
const SALE_STATUS: Record<string, number[]> = {
  reserved: [0],
  expired: [0],
  cancelled: [0],
  paid: [1],
  settled: [2],
  refunded: [3],
};

/** Contracts the checks read. */
export interface SoakContracts {
  sale: string;
  identityRegistry: string;
  stablecoin: string;
}

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
    private readonly contracts: SoakContracts,
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
        (SELECT count(*) FROM uptime_epoch WHERE status <> 'accepted') AS "epochsNotOnChain",
        (SELECT count(*) FROM enforcement_action WHERE status = 'failed') AS "enforcementFailed",
        (SELECT count(*) FROM revenue_report WHERE status = 'pending_review') AS "revenueReviewsPending"`);
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
    const settled = await this.db.query<{
      id: string;
      status: string;
      failure_reason: string | null;
    }>('SELECT id, status, failure_reason FROM investment_order WHERE id = ANY($1)', [
      [...this.workload.paidOrders],
    ]);
    // Settled, or refused at settlement because the officer froze the wallet since, and refunded.
    const notSettled = settled.rows.filter(
      (row) =>
        row.status !== 'settled' &&
        !(row.status === 'refunded' && /ReceiverFrozen/.test(row.failure_reason ?? '')),
    ).length;
    if (notSettled) result.ourPaidOrdersNotSettled = notSettled;
    return result;
  }

  async verdict(lostEffects: number): Promise<SoakVerdict> {
    const mismatches =
      (await this.balancesAndSupply()) +
      (await this.mints()) +
      (await this.orders()) +
      (await this.identities()) +
      (await this.freezes()) +
      (await this.revenueRoots()) +
      (await this.claims()) +
      (await this.investorMoney()) +
      (await this.platformTransactions()) +
      (await this.reconciliation());
    const duplicates =
      this.workload.counts.idempotencyDuplicates +
      this.mintExcess +
      this.unknownPlatformTxs +
      this.twiceMinedIntents +
      this.overClaimed +
      (await this.settlementsAndRefundsTwice());
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
  private overClaimed = 0;
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

  /** Each order settled or refunded on chain once, never both. */
  private async settlementsAndRefundsTwice(): Promise<number> {
    const seen = new Map<string, string[]>();
    for (const [topic, outcome] of [
      [ORDER_SETTLED_TOPIC, 'settled'],
      [ORDER_REFUNDED_TOPIC, 'refunded'],
    ]) {
      const logs = await this.chain.getLogs({
        address: this.contracts.sale,
        fromBlock: 0,
        toBlock: 'latest',
        topics: [topic],
      });
      for (const log of logs)
        seen.set(log.topics[1], [...(seen.get(log.topics[1]) ?? []), outcome]);
    }
    let twice = 0;
    for (const [orderId, outcomes] of seen)
      if (outcomes.length > 1) {
        twice += outcomes.length - 1;
        this.find('settlement', `order ${orderId} on chain: ${outcomes.join(', ')}`);
      }
    return twice;
  }

  /** Every order's state on the sale contract is the one the database gives it. */
  private async orders(): Promise<number> {
    const sale = PrimarySale__factory.connect(this.contracts.sale, this.chain);
    const rows = await this.db.query<{
      id: string;
      chain_order_id: string;
      wallet: string;
      status: string;
    }>('SELECT id, chain_order_id, wallet, status FROM investment_order');
    let mismatches = 0;
    for (const row of rows.rows) {
      const onChain = Number((await sale.orderOf(row.chain_order_id, row.wallet)).status);
      if (!(SALE_STATUS[row.status] ?? []).includes(onChain)) {
        mismatches += 1;
        this.find('order', `order ${row.id} is ${row.status}; the sale says status ${onChain}`);
      }
    }
    return mismatches;
  }

  /** Every investor's wallet is verified in the registry with the country and expiry the database recorded. */
  private async identities(): Promise<number> {
    const registry = IdentityRegistry__factory.connect(this.contracts.identityRegistry, this.chain);
    let mismatches = 0;
    for (const investor of this.workload.investors) {
      const wallet = investor.wallet.address.toLowerCase();
      const row = await this.db.query<{
        registry_country: number | null;
        registry_expiry: Date | null;
      }>('SELECT registry_country, registry_expiry FROM wallet WHERE address = $1', [wallet]);
      const [, country, expiry] = await registry.identityOf(wallet);
      const recorded = row.rows[0];
      const same =
        (await registry.isVerified(wallet)) &&
        recorded?.registry_country === Number(country) &&
        recorded.registry_expiry !== null &&
        Math.floor(recorded.registry_expiry.getTime() / 1000) === Number(expiry);
      if (!same) {
        mismatches += 1;
        this.find(
          'identity',
          `${wallet}: database ${JSON.stringify(recorded)}, registry country ${country} expiry ${expiry}`,
        );
      }
    }
    return mismatches;
  }

  /**
   * Each investor's stablecoins: what the issuer minted to it, less what it paid, plus the refunds
   * the database records and the revenue the API says it claimed.
   */
  private async investorMoney(): Promise<number> {
    const coin = MockStablecoin__factory.connect(this.contracts.stablecoin, this.chain);
    let mismatches = 0;
    for (const investor of this.workload.investors) {
      const wallet = investor.wallet.address.toLowerCase();
      const refunds = await this.db.query<{ amount: string }>(
        `SELECT coalesce(sum(amount), 0) AS amount FROM investment_order WHERE wallet = $1 AND status = 'refunded'`,
        [wallet],
      );
      let claimed = 0n;
      for (const farm of this.workload.farms) {
        const answer = await this.officer.send('GET', `/farms/${farm.id}/claims/${wallet}`);
        if (answer.status === 200) claimed += BigInt(String(answer.body.claimed));
      }
      const expected = investor.minted - investor.paid + BigInt(refunds.rows[0].amount) + claimed;
      const onChain = await coin.balanceOf(wallet);
      if (onChain !== expected) {
        mismatches += 1;
        this.find('money', `${wallet}: the books say ${expected}, the stablecoin says ${onChain}`);
      }
    }
    return mismatches;
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
        const entitled = await this.db.query<{ cumulative: string }>(
          `SELECT coalesce(max(e.cumulative), 0) AS cumulative FROM distribution_entitlement e
             JOIN distribution d ON d.id = e.distribution_id
            WHERE d.farm_id = $1 AND d.status = 'published' AND e.account = $2`,
          [farm.id, investor.wallet.address.toLowerCase()],
        );
        if (onChain > BigInt(entitled.rows[0].cumulative)) {
          this.overClaimed += 1;
          this.find(
            'claim',
            `${farm.token} ${investor.wallet.address}: claimed ${onChain} on chain, entitled to ${entitled.rows[0].cumulative}`,
          );
        }
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

  /** The chain's head when the storm ended: the platform's reconciliation must have run past it. */
  settledAtBlock = 0;

  /** The platform's own reconciliation, run after the storm, agrees. */
  private async reconciliation(): Promise<number> {
    const run = await this.db.query<{ mismatch_count: number }>(
      'SELECT mismatch_count FROM reconciliation_run WHERE block_number >= $1 ORDER BY id DESC LIMIT 1',
      [this.settledAtBlock],
    );
    if (!run.rows[0]) {
      this.find('reconciliation', `no reconciliation run at or after block ${this.settledAtBlock}`);
      return 1;
    }
    const count = run.rows[0].mismatch_count;
    if (count) this.find('reconciliation', `the run after the storm found ${count} mismatches`);
    return count;
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
    let ok = (await this.entitlementsFromTheChain()) === 0;
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

  /**
   * Every published distribution recomputed from the chain: the token's supply and each holder's
   * balance at the snapshot block, each line's amount = floor(distributable x balance / supply),
   * and no investor holding fractions at the snapshot left out.
   */
  private async entitlementsFromTheChain(): Promise<number> {
    const distributions = await this.db.query<{
      id: string;
      token: string;
      epoch: string;
      snapshot_block: string;
      supply: string;
      distributable: string;
    }>(
      `SELECT id, token, epoch, snapshot_block, supply, distributable FROM distribution WHERE status = 'published'`,
    );
    let wrong = 0;
    for (const d of distributions.rows) {
      const token = GpuFarmToken__factory.connect(d.token, this.chain);
      const blockTag = Number(d.snapshot_block);
      const supply = await token.totalSupply({ blockTag });
      const lines = await this.db.query<{ account: string; balance: string; amount: string }>(
        'SELECT account, balance, amount FROM distribution_entitlement WHERE distribution_id = $1',
        [d.id],
      );
      const problems: string[] = [];
      if (supply !== BigInt(d.supply)) problems.push(`supply ${d.supply}, chain ${supply}`);
      for (const line of lines.rows) {
        const balance = await token.balanceOf(line.account, { blockTag });
        const amount = supply === 0n ? 0n : (BigInt(d.distributable) * balance) / supply;
        if (balance !== BigInt(line.balance) || amount !== BigInt(line.amount))
          problems.push(
            `${line.account}: balance ${line.balance} (chain ${balance}), amount ${line.amount} (recomputed ${amount})`,
          );
      }
      const listed = new Set(lines.rows.map((line) => line.account));
      for (const investor of this.workload.investors) {
        const wallet = investor.wallet.address.toLowerCase();
        if (!listed.has(wallet) && (await token.balanceOf(wallet, { blockTag })) > 0n)
          problems.push(`${wallet} held fractions at the snapshot and has no line`);
      }
      if (problems.length) {
        wrong += 1;
        this.find(
          'payouts',
          `distribution ${d.id} (epoch ${d.epoch}) against the chain: ${problems.slice(0, 3).join('; ')}`,
        );
      }
    }
    return wrong;
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
