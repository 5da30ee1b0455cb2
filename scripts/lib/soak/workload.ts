import { randomBytes } from 'node:crypto';
import { type HDNodeWallet, id, isError } from 'ethers';
import {
  type GpuFarmToken,
  GpuFarmToken__factory,
  IdentityRegistry__factory,
} from '../../../libs/chain/src/generated';
import { TransactionRevertedError, waitForReceipt } from '@gpu/chain';
import { siweMessage } from '../demo-client';
import type { Fleet, NodeMode } from '../fleet/fleet-simulator';
import { listingNodesOf } from '../fleet/fleet-simulator';
import { type PaymentInstructions, payOrder } from '../pay-order';
import type { SoakChain } from './soak-chain';
import { type Body, SoakClient, UnexpectedAnswer, idempotencyKey, sleep } from './soak-client';

export interface Investor {
  email: string;
  client: SoakClient;
  wallet: HDNodeWallet;
  /** One chain or API action at a time per investor: its wallet has one nonce sequence. */
  busy: boolean;
  /** Stablecoins the issuer minted to the wallet, and what the wallet paid for orders. */
  minted: bigint;
  paid: bigint;
}

export interface SoakFarm {
  id: string;
  token: string;
  offeringId: string;
  /** Fleet node indexes that serve this farm's GPUs. */
  nodes: number[];
  /** The last epoch whose revenue the operator reported. */
  lastReportedEpoch?: bigint;
  /** Revenue is reported for epochs that start after the first settlement. */
  firstSettledAt?: number;
}

/** What the workload did, and what it found that the platform did twice. */
export interface WorkloadCounts {
  operations: number;
  byKind: Record<string, number>;
  refused: Record<string, number>;
  failedOperations: number;
  failureSamples: string[];
  /** Replays of one Idempotency-Key that came back as another order or action. */
  idempotencyDuplicates: number;
}

export interface WorkloadOptions {
  api: SoakClient;
  officer: SoakClient;
  operator: SoakClient;
  chain: SoakChain;
  fleet: Fleet;
  identityRegistry: string;
  treasury: string;
  random: () => number;
  maxInvestors: number;
  /** GPU nodes each farm lists. */
  nodesPerFarm: number;
  log(line: string): void;
}

const PASSWORD = randomBytes(12).toString('hex');
const FAULT_MODES: NodeMode[] = ['down', 'slow', 'missing-gpu', 'garbage', 'http-error', 'stale'];
const ACTION_TIMEOUT_MS = 120_000;
/** Refusals of an order that the rules call for; any other answer is a failure. */
const ORDER_REFUSALS = new Set([
  'OFFERING_SOLD_OUT',
  'OFFERING_INSUFFICIENT_REMAINING',
  'ORDER_ABOVE_MAXIMUM',
  'ORDER_WALLET_FROZEN',
  // The officer's approval is on chain; the API reads the registry from its index, a block behind.
  'ORDER_WALLET_NOT_VERIFIED',
]);
/** Reverts of an investor's transfer that the token's rules call for (a freeze may land meanwhile). */
const TRANSFER_REFUSALS = [
  'SenderFrozen',
  'ReceiverFrozen',
  'MaxBalanceExceeded',
  'MaxHoldersExceeded',
];
/**
 * Reverts of a claim that are expected: frozen, a newer root published since the proof was read,
 * or claimed already while the index had not seen it yet.
 */
const CLAIM_REFUSALS = ['ClaimWhileFrozen', 'InvalidProof', 'NothingToClaim'];

/**
 * The platform's users, doing what they do, at random: investors register, link wallets, pass
 * KYC, order, pay, cancel, transfer to each other and claim revenue; the operator lists farms,
 * tokenizes them, opens offerings and reports each epoch's revenue; a compliance officer approves
 * KYC, listings, tokenizations and revenue reviews, and freezes and unfreezes wallets; GPU nodes
 * fail and recover. Every request that must not run twice carries an Idempotency-Key and is
 * replayed once on purpose; the replay must come back as the same order or action.
 */
export class Workload {
  readonly investors: Investor[] = [];
  readonly farms: SoakFarm[] = [];
  /** `${farmId}:${wallet}` of wallets the officer froze (and did not unfreeze). */
  readonly frozen = new Set<string>();
  readonly paidOrders = new Set<string>();
  readonly counts: WorkloadCounts = {
    operations: 0,
    byKind: {},
    refused: {},
    failedOperations: 0,
    failureSamples: [],
    idempotencyDuplicates: 0,
  };
  private nextNode = 0;
  private running = false;
  private enforcing = false;

  constructor(private readonly o: WorkloadOptions) {}

  /** Runs `actors` loops of random operations, a revenue loop and a fault loop until stop(). */
  async run(actors: number, untilMs: number, extraFarmAtMs: number): Promise<void> {
    this.running = true;
    let extraFarm = false;
    const loops = [
      ...Array.from({ length: actors }, async () => {
        while (this.running && Date.now() < untilMs) {
          if (!extraFarm && Date.now() >= extraFarmAtMs) {
            extraFarm = true;
            await this.attempt('farm-onboarding', () => this.onboardFarm());
          } else {
            await this.randomOperation();
          }
          await sleep(50 + this.o.random() * 200);
        }
      }),
      (async () => {
        while (this.running && Date.now() < untilMs) {
          for (const farm of [...this.farms])
            await this.attempt('revenue-report', () => this.reportRevenue(farm), false);
          await sleep(1000);
        }
      })(),
      (async () => {
        while (this.running && Date.now() < untilMs) {
          await this.attempt('gpu-fault', () => this.gpuFault());
          await sleep(5000 + this.o.random() * 10_000);
        }
      })(),
    ];
    await Promise.all(loops);
    this.running = false;
  }

  private async randomOperation(): Promise<void> {
    const choices: [number, string, () => Promise<boolean | void>][] = [
      [
        this.investors.length < this.o.maxInvestors ? 3 : 0,
        'investor-onboarding',
        () => this.onboardInvestor(),
      ],
      [6, 'order', () => this.order()],
      [3, 'transfer', () => this.transfer()],
      [1, 'freeze', () => this.freezeOrUnfreeze()],
      [2, 'claim', () => this.claim()],
      [2, 'read', () => this.read()],
    ];
    const total = choices.reduce((sum, [weight]) => sum + weight, 0);
    let pick = this.o.random() * total;
    for (const [weight, kind, run] of choices) {
      pick -= weight;
      if (pick < 0) return this.attempt(kind, run);
    }
  }

  /** Runs one operation; `false` from it means it was refused as expected and did nothing. */
  private async attempt(
    kind: string,
    run: () => Promise<boolean | void>,
    countSkips = true,
  ): Promise<void> {
    try {
      const done = await run();
      if (done === false) {
        if (countSkips) this.counts.refused[kind] = (this.counts.refused[kind] ?? 0) + 1;
        return;
      }
      this.counts.operations += 1;
      this.counts.byKind[kind] = (this.counts.byKind[kind] ?? 0) + 1;
    } catch (error) {
      this.counts.failedOperations += 1;
      const message = `${kind}: ${error instanceof Error ? error.message : String(error)}`;
      if (this.counts.failureSamples.length < 10) this.counts.failureSamples.push(message);
      this.o.log(`operation failed: ${message.slice(0, 300)}`);
    }
  }

  // ------------------------------------------------------------------ farms

  /** The operator lists a farm on fresh fleet nodes; compliance approves; it is tokenized and offered. */
  async onboardFarm(): Promise<void> {
    const { operator, officer, fleet } = this.o;
    const nodes = Array.from({ length: this.o.nodesPerFarm }, () => this.nextNode++);
    if (nodes.at(-1)! >= fleet.nodes.length)
      throw new Error('the fleet has no nodes left for a farm');
    const listing = await operator.expect(201, 'POST', '/farms', {
      name: `Soak farm ${this.farms.length + 1}`,
      legalEntity: 'Soak Compute Ltd.',
      jurisdiction: 352,
      siteLocation: 'Reykjavik, Iceland',
      valuation: '1000000000000',
      revenueShareBps: 7000,
      probeIntervalSeconds: 2,
      slaUptimeBps: 9000,
      ratePerGpuHour: '2000000',
      nodes: listingNodesOf(nodes.map((index) => fleet.nodes[index])),
      documents: [
        {
          type: 'valuation-report',
          uri: 'https://docs.example.com/soak.pdf',
          sha256: id('soak').slice(2),
        },
      ],
    });
    const farmId = listing.id as string;
    await operator.expect(200, 'POST', `/farms/${farmId}/submit`);
    await officer.expect(200, 'POST', `/farms/${farmId}/approve`, {
      reason: 'soak: listing checked',
    });
    const request = await operator.expect(201, 'POST', `/farms/${farmId}/tokenization`, {
      symbol: `SOAK${this.farms.length + 1}`,
      totalFractions: '1000000',
      allowedCountries: [276],
      maxBalance: '500000',
      maxHolders: 1000,
    });
    if (request.status === 'requested')
      await officer.expect(200, 'POST', `/farms/${farmId}/tokenization/approve`, {
        reason: 'soak: token parameters checked',
      });
    const token = await this.waitFor(
      `/farms/${farmId}/token`,
      operator,
      (body) => body.status === 'confirmed',
    );
    const offering = await operator.expect(201, 'POST', `/farms/${farmId}/offerings`, {
      pricePerFraction: '1000000',
      fractionsOffered: 500_000,
      minPerInvestor: 1,
      maxPerInvestor: 100_000,
      opensAt: new Date(Date.now() - 60_000).toISOString(),
      closesAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      paymentWindowSeconds: 120,
      settlementWindowSeconds: 7 * 86_400,
    });
    const offeringId = offering.id as string;
    await operator.expect(200, 'POST', `/offerings/${offeringId}/open`);
    await this.waitFor(`/offerings/${offeringId}`, operator, (body) => body.status === 'open');
    this.farms.push({ id: farmId, token: token.tokenAddress as string, offeringId, nodes });
    this.o.log(`farm ${farmId} tokenized (${String(token.tokenAddress)}) and offered`);
  }

  // -------------------------------------------------------------- investors

  /** Register, link a new wallet by SIWE, open a KYC case; the officer approves; the wallet is verified on chain. */
  async onboardInvestor(): Promise<void> {
    const email = `investor-${this.investors.length + 1}-${randomBytes(3).toString('hex')}@soak.gpu`;
    const registered = await this.o.api.send('POST', '/auth/register', {
      email,
      password: PASSWORD,
    });
    // A register answered 201 whose answer was lost is seen again as 409: the account exists.
    if (registered.status !== 201 && registered.status !== 409)
      throw new UnexpectedAnswer('POST /auth/register', registered);
    const client = this.o.api.forUser(email, PASSWORD);
    const wallet = await this.o.chain.newWallet();
    const challenge = await client.expect(200, 'POST', '/wallets/nonce', {});
    const message = siweMessage(challenge, wallet.address);
    await client.expect(201, 'POST', '/wallets', {
      message,
      signature: await wallet.signMessage(message),
    });
    const kycCase = await client.expect(201, 'POST', '/kyc/cases', {
      provider: 'manual',
      country: 276,
      documents: [{ type: 'passport', name: 'passport.pdf', sha256: id(email).slice(2) }],
    });
    await this.o.officer.expect(200, 'POST', `/kyc/cases/${String(kycCase.id)}/approve`, {
      country: 276,
      level: 'basic-kyc-level',
      reason: 'soak: documents checked',
    });
    const registry = IdentityRegistry__factory.connect(
      this.o.identityRegistry,
      this.o.chain.provider,
    );
    const deadline = Date.now() + ACTION_TIMEOUT_MS;
    while (!(await registry.isVerified(wallet.address))) {
      if (Date.now() > deadline) throw new Error(`${wallet.address} not verified on chain in time`);
      await sleep(500);
    }
    this.investors.push({ email, client, wallet, busy: false, minted: 0n, paid: 0n });
  }

  /** An order with an Idempotency-Key, sent twice; then paid from the wallet, or cancelled, or left to expire. */
  async order(): Promise<boolean> {
    const farm = this.pick(this.farms);
    return this.asInvestor(async (investor) => {
      if (!farm || this.frozen.has(`${farm.id}:${investor.wallet.address.toLowerCase()}`))
        return false;
      const key = idempotencyKey('order');
      const request = { fractions: 1 + Math.floor(this.o.random() * 40) };
      const route = `/offerings/${farm.offeringId}/orders`;
      const first = await investor.client.send('POST', route, request, { idempotencyKey: key });
      if (ORDER_REFUSALS.has(String(first.body.code))) return false;
      if (first.status !== 201) throw new UnexpectedAnswer(`POST ${route}`, first);
      const replay = await investor.client.send('POST', route, request, { idempotencyKey: key });
      if (replay.body.id !== first.body.id) this.counts.idempotencyDuplicates += 1;
      const orderId = first.body.id as string;
      const fate = this.o.random();
      if (fate < 0.08) {
        await investor.client.expect(200, 'POST', `/orders/${orderId}/cancel`);
        return true;
      }
      if (fate < 0.12) return true; // left unpaid: its reservation expires
      const payment = first.body.payment as unknown as PaymentInstructions;
      await this.o.chain.mintStablecoin(investor.wallet.address, BigInt(payment.amount));
      investor.minted += BigInt(payment.amount);
      await payOrder(investor.wallet, payment);
      investor.paid += BigInt(payment.amount);
      this.paidOrders.add(orderId);
      farm.firstSettledAt ??= Date.now();
      return true;
    });
  }

  /** One investor sends fractions to another from its own wallet, if the token's rules allow it. */
  async transfer(): Promise<boolean> {
    const farm = this.pick(this.farms);
    const to = this.pick(this.investors);
    if (!farm || !to) return false;
    return this.asInvestor(async (from) => {
      if (from === to) return false;
      const token = GpuFarmToken__factory.connect(farm.token, from.wallet);
      const balance = await token.balanceOf(from.wallet.address);
      if (balance === 0n) return false;
      const amount =
        1n + BigInt(Math.floor(this.o.random() * Number(balance < 50n ? balance : 50n)));
      return this.acceptedByTheChain(token, TRANSFER_REFUSALS, async () => {
        const gas = await token.transfer.estimateGas(to.wallet.address, amount);
        const sent = await token.transfer(to.wallet.address, amount, { gasLimit: (gas * 3n) / 2n });
        await waitForReceipt(this.o.chain.provider, sent.hash);
      });
    });
  }

  /**
   * The officer freezes a wallet on a farm's token, or unfreezes one it froze; one action at a
   * time, so that the soak's record of what is frozen follows the order of the chain.
   */
  async freezeOrUnfreeze(): Promise<boolean> {
    const farm = this.pick(this.farms);
    if (!farm || this.enforcing) return false;
    this.enforcing = true;
    try {
      return await this.toggleFreeze(farm);
    } finally {
      this.enforcing = false;
    }
  }

  private async toggleFreeze(farm: SoakFarm): Promise<boolean> {
    const frozenHere = [...this.frozen].filter((entry) => entry.startsWith(`${farm.id}:`));
    const unfreeze = frozenHere.length > 0 && (frozenHere.length >= 2 || this.o.random() < 0.6);
    const wallet = unfreeze
      ? this.pick(frozenHere)!.split(':')[1]
      : this.pick(this.investors)?.wallet.address.toLowerCase();
    if (!wallet) return false;
    const action = await this.enforce(farm, 'wallet-freezes', {
      wallet,
      frozen: !unfreeze,
      reason: unfreeze ? 'soak: review cleared' : 'soak: screening hit, pending review',
    });
    if (action.status !== 'confirmed')
      throw new Error(
        `freeze action ${String(action.id)} ${String(action.status)}: ${String(action.failure)}`,
      );
    if (unfreeze) this.frozen.delete(`${farm.id}:${wallet}`);
    else this.frozen.add(`${farm.id}:${wallet}`);
    return true;
  }

  /** An investor claims what the latest root gives its wallet, from the wallet. */
  async claim(): Promise<boolean> {
    const farm = this.pick(this.farms);
    if (!farm) return false;
    return this.asInvestor(async (investor) => {
      const answer = await investor.client.send(
        'GET',
        `/farms/${farm.id}/claims/${investor.wallet.address}`,
      );
      if (answer.status === 404) return false; // nothing published for this farm yet
      if (answer.status !== 200) throw new UnexpectedAnswer('GET claim', answer);
      if (BigInt(answer.body.claimable as string) === 0n) return false;
      const token = GpuFarmToken__factory.connect(farm.token, investor.wallet);
      const args = [answer.body.cumulative as string, answer.body.proof as string[]] as const;
      return this.acceptedByTheChain(token, CLAIM_REFUSALS, async () => {
        const gas = await token.claimRevenue.estimateGas(...args);
        const sent = await token.claimRevenue(...args, { gasLimit: (gas * 3n) / 2n });
        await waitForReceipt(this.o.chain.provider, sent.hash);
      });
    });
  }

  /** What users read: portfolios, cap tables, the holder register, audit search, uptime. */
  async read(): Promise<void> {
    const farm = this.pick(this.farms);
    const investor = this.pick(this.investors);
    const reads = [
      () => investor?.client.get('/portfolio'),
      () => farm && this.o.officer.get(`/farms/${farm.id}/cap-table`),
      () => farm && this.o.officer.get(`/reports/holder-register?farmId=${farm.id}`),
      () => this.o.officer.get('/audit/entries?limit=20'),
      () => farm && this.o.operator.get(`/farms/${farm.id}/uptime`),
      () => farm && this.o.operator.get(`/farms/${farm.id}/distributions`),
    ];
    await this.pick(reads)!();
  }

  // ---------------------------------------------------------------- revenue

  /**
   * The operator reports the revenue of each accepted uptime epoch in turn, near the oracle's
   * figure (now and then far from it: compliance approves those), and pays it to the treasury.
   */
  async reportRevenue(farm: SoakFarm): Promise<boolean> {
    if (farm.firstSettledAt === undefined) return false;
    const page = await this.o.operator.get(`/farms/${farm.id}/uptime/epochs?limit=200`);
    const next = (page.items as Body[])
      .filter((epoch) => epoch.status === 'accepted')
      .filter((epoch) => Date.parse(String(epoch.startsAt)) > farm.firstSettledAt!)
      .map((epoch) => ({
        epoch: BigInt(String(epoch.epoch)),
        revenue: BigInt(String(epoch.revenue)),
      }))
      .filter(({ epoch }) => farm.lastReportedEpoch === undefined || epoch > farm.lastReportedEpoch)
      .sort((a, b) => (a.epoch < b.epoch ? -1 : 1))[0];
    // An epoch whose report failed on chain is skipped; the report that skips it goes to review.
    if (!next) return false;
    const far = this.o.random() < 0.2;
    const deviationBps = BigInt(Math.floor(this.o.random() * (far ? 3000 : 300)));
    const amount = next.revenue + (next.revenue * deviationBps) / 10_000n + (far ? 1_000_000n : 0n);
    await this.o.chain.mintStablecoin(this.o.treasury, amount);
    const answer = await this.o.operator.send('POST', `/farms/${farm.id}/revenue-reports`, {
      epoch: next.epoch.toString(),
      amount: amount.toString(),
      evidenceRef: `soak invoice, epoch ${next.epoch}`,
    });
    let report = answer.body;
    if (answer.status === 409 && answer.body.code === 'REVENUE_ALREADY_REPORTED') {
      // An earlier attempt went through and its answer was lost: carry on from the stored report.
      const reports = await this.o.operator.get(`/farms/${farm.id}/revenue-reports?limit=200`);
      report = (reports.items as Body[]).find(
        (item) => String(item.epoch) === next.epoch.toString(),
      )!;
    } else if (answer.status !== 201) {
      throw new UnexpectedAnswer('POST revenue report', answer);
    }
    if (report.status === 'pending_review')
      await this.o.officer.expect(200, 'POST', `/revenue-reports/${String(report.id)}/approve`, {
        reason: 'soak: invoice checked against the customer statement',
      });
    farm.lastReportedEpoch = next.epoch;
    return true;
  }

  // ----------------------------------------------------------------- faults

  /** A GPU node misbehaves for a few seconds, then recovers. */
  async gpuFault(): Promise<boolean> {
    const farm = this.pick(this.farms);
    if (!farm) return false;
    const node = this.pick(farm.nodes)!;
    this.o.fleet.setMode(node, this.pick(FAULT_MODES)!);
    await sleep(2000 + this.o.random() * 6000);
    this.o.fleet.setMode(node, 'ok');
    return true;
  }

  // ---------------------------------------------------------------- helpers

  /** An enforcement action sent, replayed with its key, and followed until it is settled. */
  private async enforce(farm: SoakFarm, kind: string, body: Body): Promise<Body> {
    const key = idempotencyKey(kind);
    const route = `/farms/${farm.id}/enforcement/${kind}`;
    const first = await this.o.officer.expect(201, 'POST', route, body, { idempotencyKey: key });
    const replay = await this.o.officer.send('POST', route, body, { idempotencyKey: key });
    if (replay.status >= 300) throw new UnexpectedAnswer(`replayed POST ${route}`, replay);
    if (replay.body.id !== first.id) this.counts.idempotencyDuplicates += 1;
    return this.waitFor(
      `/enforcement-actions/${String(first.id)}`,
      this.o.officer,
      (action) => action.status !== 'pending',
    );
  }

  private async waitFor(
    route: string,
    client: SoakClient,
    done: (body: Body) => boolean,
  ): Promise<Body> {
    const deadline = Date.now() + ACTION_TIMEOUT_MS;
    for (;;) {
      const body = await client.get(route);
      if (done(body)) return body;
      if (Date.now() > deadline)
        throw new Error(`${route} did not reach the expected state in time`);
      await sleep(500);
    }
  }

  /**
   * Runs a wallet's transaction: false when the token refuses it for one of `allowed` reasons
   * (when it is estimated, or when it is mined after a freeze landed first); any other revert is a
   * failure.
   */
  private async acceptedByTheChain(
    token: GpuFarmToken,
    allowed: readonly string[],
    send: () => Promise<unknown>,
  ): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (error) {
      const reason = await this.revertReason(token, error);
      if (reason && allowed.includes(reason)) return false;
      throw new Error(
        `the token refused with ${reason ?? 'no decodable reason'}: ${error instanceof Error ? error.message.slice(0, 200) : String(error)}`,
      );
    }
  }

  private async revertReason(token: GpuFarmToken, error: unknown): Promise<string | undefined> {
    let data: string | undefined;
    if (isError(error, 'CALL_EXCEPTION')) {
      if (error.revert) return error.revert.name;
      data = error.data ?? undefined;
    } else if (error instanceof TransactionRevertedError) {
      // Mined and reverted: replay it on the state of its block to read the reason.
      const provider = this.o.chain.provider;
      const tx = await provider.getTransaction(error.receipt.hash);
      if (!tx) return undefined;
      try {
        await provider.call({
          to: tx.to,
          from: tx.from,
          data: tx.data,
          blockTag: error.receipt.blockNumber,
        });
      } catch (replayed) {
        if (isError(replayed, 'CALL_EXCEPTION')) data = replayed.data ?? undefined;
      }
    }
    return data ? token.interface.parseError(data)?.name : undefined;
  }

  /** Runs `work` as a random investor not busy with something else; false when none is free. */
  private async asInvestor(work: (investor: Investor) => Promise<boolean>): Promise<boolean> {
    const investor = this.pick(this.investors.filter((candidate) => !candidate.busy));
    if (!investor) return false;
    investor.busy = true;
    try {
      return await work(investor);
    } finally {
      investor.busy = false;
    }
  }

  private pick<T>(items: readonly T[]): T | undefined {
    return items.length ? items[Math.floor(this.o.random() * items.length)] : undefined;
  }
}
