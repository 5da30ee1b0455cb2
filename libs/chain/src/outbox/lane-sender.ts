import type { Logger } from '@nestjs/common';
import { type JsonRpcProvider, Transaction, type Wallet } from 'ethers';
import { safeErrorMessage } from '@gpu/common';
import { type ChainTx, ChainTxState } from '../entities/chain-tx.entity';
import { rpcBatch, rpcResult } from '../rpc-batch';
import type { ChainTxRepository, MinedReceipt, NewAttempt } from './chain-tx.repository';
import { type Fees, bumpedFees, initialFees } from './fee-policy';
import { describeRevertData, revertDataOf, revertDataOfRpcError } from './revert-reason';

export interface LaneSenderSettings {
  chainId: number;
  lane: string;
  confirmations: number;
  stuckAfterMs: number;
  feeBumpPercent: number;
  maxFeePerGas: bigint;
  batchSize: number;
  rpcTimeoutMs: number;
}

interface RpcReceipt {
  transactionHash: string;
  blockNumber: string;
  blockHash: string;
  status: string;
  gasUsed: string;
}

/**
 * Answers a node gives to a raw transaction it already has, or whose nonce another of our attempts
 * holds: the broadcast has done its job. (A plain "transaction underpriced" is a real refusal.)
 */
const ALREADY_SEEN =
  /already known|already imported|known transaction|already exists|nonce too low|nonce is too low|replacement transaction underpriced/i;

const GAS_MARGIN_PERCENT = 25n;

type Estimate = { gasLimit: bigint } | { revert: string } | { transient: string };

/**
 * The transaction sender of one signer lane. Each round moves every transaction of the lane as
 * far forward as the chain allows:
 *
 *   queued -> signed      nonce taken from Postgres, raw transaction stored (nothing sent yet)
 *   signed -> broadcast   the stored raw bytes sent, so a restart re-sends the same hash
 *   broadcast -> mined    a receipt for one of its attempts; stuck ones are replaced (fee bump)
 *   mined -> confirmed    `confirmations` deep and still in the chain; reverted ones -> failed
 *
 * A call that would revert is failed before it takes a nonce (unless its intent fixes the gas
 * limit: then it is sent as asked). Only one process runs a lane.
 */
export class LaneSender {
  constructor(
    private readonly settings: LaneSenderSettings,
    private readonly wallet: Wallet,
    private readonly provider: JsonRpcProvider,
    private readonly txs: ChainTxRepository,
    private readonly logger: Logger,
  ) {}

  private get lane(): string {
    return this.settings.lane;
  }

  /** Registers the lane's signer at the chain's nonce (the first time only). */
  async register(): Promise<void> {
    const nonce = await this.chainNonce('latest');
    await this.txs.ensureSigner(this.settings.chainId, this.lane, this.wallet.address, nonce);
  }

  /**
   * One round; true when something moved. The phases run even when an earlier one fails (a
   * refused broadcast must not hold up confirmations); the first failure is rethrown at the end
   * so that the loop backs off.
   */
  async round(): Promise<boolean> {
    let moved = false;
    let failure: unknown;
    const phases = [
      () => this.trackBroadcast(),
      () => this.finalizeMined(),
      () => this.broadcastWhileSimulating(),
    ];
    for (const phase of phases) {
      try {
        moved = (await phase()) || moved;
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
    return moved;
  }

  /**
   * Sends what is signed while the next queued transactions are simulated (the node works on
   * both at once), then signs those: a steady stream keeps both busy.
   */
  private async broadcastWhileSimulating(): Promise<boolean> {
    const [sent, simulated] = await Promise.allSettled([
      this.broadcastSigned(),
      this.simulateQueued(),
    ]);
    let moved = sent.status === 'fulfilled' && sent.value;
    if (simulated.status === 'fulfilled') moved = (await this.signReady(simulated.value)) || moved;
    if (sent.status === 'rejected') throw sent.reason;
    if (simulated.status === 'rejected') throw simulated.reason;
    return moved;
  }

  /**
   * Sends every signed (not yet broadcast) transaction, in nonce order. A refusal stops the rest
   * (later nonces cannot be mined before it); a refused one older than TX_STUCK_AFTER_MS is signed
   * again at the same nonce with today's fees.
   */
  private async broadcastSigned(): Promise<boolean> {
    const rows = await this.txs.inStates(this.settings.chainId, this.lane, [ChainTxState.Signed]);
    if (rows.length === 0) return false;
    const attempts = await this.txs.currentAttempts(rows.map((r) => r.id));
    const answers = await rpcBatch(
      this.provider,
      rows.map((row) => ({
        method: 'eth_sendRawTransaction',
        params: [attempts.get(row.id)!.raw],
      })),
      this.settings.rpcTimeoutMs,
    );
    const sent: string[] = [];
    for (const [i, row] of rows.entries()) {
      const answer = answers[i];
      if ('error' in answer && !ALREADY_SEEN.test(answer.error.message)) {
        await this.txs.markBroadcast(sent);
        const message = safeErrorMessage(answer.error.message);
        await this.txs.noteError([row.id], `broadcast: ${message}`);
        if (Date.now() - attempts.get(row.id)!.createdAt.getTime() > this.settings.stuckAfterMs) {
          await this.replace(row);
        }
        throw new Error(`lane ${this.lane}: the node refused transaction ${row.id}: ${message}`);
      }
      sent.push(row.id);
    }
    await this.txs.markBroadcast(sent);
    return true;
  }

  /**
   * Broadcast -> mined, once the lane's nonce has passed them. A transaction whose nonce has
   * passed but none of whose attempts has a receipt (a lagging node, or the key used elsewhere)
   * is flagged, never failed: a false "failed" could make the business try a second time. The
   * one transaction holding up the lane is replaced with higher fees after TX_STUCK_AFTER_MS.
   */
  private async trackBroadcast(): Promise<boolean> {
    const rows = await this.txs.inStates(this.settings.chainId, this.lane, [
      ChainTxState.Broadcast,
    ]);
    if (rows.length === 0) return false;
    const minedNonce = await this.chainNonce('latest');
    const passed = rows.filter((row) => row.nonce! < minedNonce);
    let moved = false;
    if (passed.length > 0) {
      const attempts = await this.txs.attemptsOf(passed.map((r) => r.id));
      const receipts = await this.receipts(
        passed.flatMap((row) => attempts.get(row.id)!.map((a) => a.hash)),
      );
      const unexplained: string[] = [];
      const mined: (MinedReceipt & { chainTxId: string })[] = [];
      for (const row of passed) {
        const receipt = attempts
          .get(row.id)!
          .map((a) => receipts.get(a.hash))
          .find((r) => r !== undefined);
        if (!receipt) {
          unexplained.push(row.id);
          continue;
        }
        mined.push({
          chainTxId: row.id,
          hash: receipt.transactionHash,
          blockNumber: BigInt(receipt.blockNumber),
          blockHash: receipt.blockHash,
          succeeded: BigInt(receipt.status) === 1n,
          gasUsed: BigInt(receipt.gasUsed),
        });
      }
      await this.txs.markMined(mined);
      moved = mined.length > 0;
      if (unexplained.length > 0) {
        await this.txs.noteError(
          unexplained,
          'the lane nonce has passed it but none of its attempts has a receipt (node lag, or the key used outside the sender)',
        );
        this.logger.warn(
          `lane ${this.lane}: ${unexplained.length} transaction(s) passed without a receipt of ours`,
        );
      }
    }
    const blocker = rows.find((row) => row.nonce === minedNonce);
    if (blocker && Date.now() - blocker.broadcastAt!.getTime() > this.settings.stuckAfterMs) {
      moved = (await this.replace(blocker)) || moved;
    }
    return moved;
  }

  /** A replacement with both fees raised, stored before it is sent; at the cap, the same bytes again. */
  private async replace(row: ChainTx): Promise<boolean> {
    const [current] = [...(await this.txs.currentAttempts([row.id])).values()];
    const market = await this.marketFees();
    const fees = bumpedFees(
      current,
      market,
      this.settings.feeBumpPercent,
      this.settings.maxFeePerGas,
    );
    if (!fees) {
      await this.txs.noteError([row.id], 'stuck at the fee cap (TX_MAX_FEE_PER_GAS_WEI)');
      await this.sendRaw(current.raw).catch(() => undefined);
      return false;
    }
    const attempt = await this.signAttempt(row, current.nonce, current.gasLimit, fees);
    if (!(await this.txs.addReplacement(attempt))) return false;
    this.logger.warn(
      `lane ${this.lane}: tx ${row.id} (nonce ${row.nonce}) not mined after ${this.settings.stuckAfterMs} ms; replaced ${current.hash} by ${attempt.hash}`,
    );
    try {
      await this.sendRaw(attempt.raw);
      if (row.state === ChainTxState.Signed) await this.txs.markBroadcast([row.id]);
    } catch (error) {
      await this.txs.noteError([row.id], `replacement: ${safeErrorMessage(error)}`);
    }
    return true;
  }

  /** Mined deep enough: still in the chain -> confirmed (or failed if it reverted); gone -> broadcast again. */
  private async finalizeMined(): Promise<boolean> {
    const rows = await this.txs.inStates(this.settings.chainId, this.lane, [ChainTxState.Mined]);
    if (rows.length === 0) return false;
    const head = BigInt(await this.provider.send('eth_blockNumber', []));
    const deepEnough = rows.filter(
      (row) => row.blockNumber! + BigInt(this.settings.confirmations) - 1n <= head,
    );
    if (deepEnough.length === 0) return false;
    const receipts = await this.receipts(deepEnough.map((row) => row.txHash!));
    const confirmed: string[] = [];
    for (const row of deepEnough) {
      const receipt = receipts.get(row.txHash!);
      if (!receipt || receipt.blockHash !== row.blockHash) {
        this.logger.warn(
          `lane ${this.lane}: tx ${row.id} left block ${row.blockNumber} in a reorg`,
        );
        await this.txs.unmine(row.id);
        const [attempt] = [...(await this.txs.currentAttempts([row.id])).values()];
        await this.sendRaw(attempt.raw).catch(() => undefined);
      } else if (row.succeeded) {
        confirmed.push(row.id);
      } else {
        await this.txs.finalize(row.id, ChainTxState.Failed, await this.replayRevert(row));
      }
    }
    await this.txs.confirm(confirmed);
    return true;
  }

  /**
   * Simulates the next queued transactions, in order. One that would revert fails here without
   * using a nonce, unless earlier transactions of the lane are still in flight (it may depend on
   * them): then it and everything after it wait for the next round.
   */
  private async simulateQueued(): Promise<{
    ready: { row: ChainTx; gasLimit: bigint }[];
    moved: boolean;
  }> {
    const queued = await this.txs.queued(this.settings.chainId, this.lane, this.settings.batchSize);
    if (queued.length === 0) return { ready: [], moved: false };
    const inFlight = await this.txs.countInStates(this.settings.chainId, this.lane, [
      ChainTxState.Signed,
      ChainTxState.Broadcast,
    ]);
    const ready: { row: ChainTx; gasLimit: bigint }[] = [];
    let moved = false;
    const estimates = await this.estimateAll(queued).catch(async (error: unknown) => {
      await this.txs.noteError(
        queued.map((row) => row.id),
        `gas estimate: ${safeErrorMessage(error)}`,
      );
      throw error;
    });
    for (const [i, row] of queued.entries()) {
      const estimate = estimates[i];
      if ('gasLimit' in estimate) {
        ready.push({ row, gasLimit: estimate.gasLimit });
        continue;
      }
      if ('transient' in estimate) {
        await this.txs.noteError([row.id], `gas estimate: ${estimate.transient}`);
      } else if (inFlight === 0 && ready.length === 0) {
        await this.txs.finalize(row.id, ChainTxState.Failed, estimate.revert);
        moved = true;
      }
      break;
    }
    return { ready, moved };
  }

  /** Nonces from Postgres, signed raw transactions stored; they are sent in the next round. */
  private async signReady({
    ready,
    moved,
  }: {
    ready: { row: ChainTx; gasLimit: bigint }[];
    moved: boolean;
  }): Promise<boolean> {
    if (ready.length === 0) return moved;
    const fees = await this.marketFees();
    const gasLimits = new Map(ready.map(({ row, gasLimit }) => [row.id, gasLimit]));
    const chainNonce = await this.chainNonce('latest');
    const signed = await this.txs.signQueued(
      this.settings.chainId,
      this.lane,
      ready.map(({ row }) => row),
      chainNonce,
      (row, nonce) => this.signAttempt(row, nonce, gasLimits.get(row.id)!, fees),
    );
    return moved || signed.length > 0;
  }

  /** eth_estimateGas of each row, in one batch request. */
  private async estimateAll(rows: ChainTx[]): Promise<Estimate[]> {
    const answers = await rpcBatch<string>(
      this.provider,
      rows.map((row) => ({
        method: 'eth_estimateGas',
        params: [{ from: this.wallet.address, to: row.target, data: row.data }],
      })),
      this.settings.rpcTimeoutMs,
    );
    return answers.map((answer, i) => {
      const row = rows[i];
      if ('result' in answer) {
        const estimated = BigInt(answer.result);
        return { gasLimit: row.gasLimit ?? estimated + (estimated * GAS_MARGIN_PERCENT) / 100n };
      }
      const data = revertDataOfRpcError(answer.error);
      if (data === undefined) return { transient: safeErrorMessage(answer.error.message) };
      return row.gasLimit ? { gasLimit: row.gasLimit } : { revert: describeRevertData(data) };
    });
  }

  private async signAttempt(
    row: ChainTx,
    nonce: bigint,
    gasLimit: bigint,
    fees: Fees,
  ): Promise<NewAttempt> {
    const tx = Transaction.from({
      type: 2,
      chainId: this.settings.chainId,
      nonce: Number(nonce),
      to: row.target,
      data: row.data,
      value: 0n,
      gasLimit,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    });
    tx.signature = this.wallet.signingKey.sign(tx.unsignedHash);
    return {
      chainTxId: row.id,
      hash: tx.hash!,
      nonce,
      gasLimit,
      raw: tx.serialized,
      ...fees,
    };
  }

  private async sendRaw(raw: string): Promise<void> {
    try {
      await this.provider.send('eth_sendRawTransaction', [raw]);
    } catch (error) {
      if (ALREADY_SEEN.test(errorText(error))) return;
      throw error;
    }
  }

  private async marketFees(): Promise<Fees> {
    const [block, tip] = await Promise.all([
      this.provider.send('eth_getBlockByNumber', ['latest', false]) as Promise<{
        baseFeePerGas?: string;
      }>,
      this.provider.send('eth_maxPriorityFeePerGas', []) as Promise<string>,
    ]);
    return initialFees(BigInt(block.baseFeePerGas ?? 0), BigInt(tip), this.settings.maxFeePerGas);
  }

  /** How many transactions of the lane's key the chain has mined. */
  private async chainNonce(tag: 'latest'): Promise<bigint> {
    return BigInt(await this.provider.send('eth_getTransactionCount', [this.wallet.address, tag]));
  }

  private async receipts(hashes: string[]): Promise<Map<string, RpcReceipt>> {
    const answers = await rpcBatch<RpcReceipt | null>(
      this.provider,
      hashes.map((hash) => ({ method: 'eth_getTransactionReceipt', params: [hash] })),
      this.settings.rpcTimeoutMs,
    );
    const found = new Map<string, RpcReceipt>();
    answers.forEach((answer, i) => {
      const receipt = rpcResult(answer, 'eth_getTransactionReceipt');
      if (receipt) found.set(hashes[i], receipt);
    });
    return found;
  }

  /** Why a mined transaction reverted: the call replayed on the state before its block. */
  private async replayRevert(row: ChainTx): Promise<string> {
    try {
      await this.provider.call({
        from: this.wallet.address,
        to: row.target,
        data: row.data,
        gasLimit: row.gasLimit ?? undefined,
        blockTag: Number(row.blockNumber! - 1n),
      });
      return 'reverted on chain (the replay did not revert: it depended on a transaction in the same block)';
    } catch (error) {
      const data = revertDataOf(error);
      return data !== undefined
        ? describeRevertData(data)
        : `reverted on chain (replay failed: ${safeErrorMessage(error)})`;
    }
  }
}

function errorText(error: unknown): string {
  const e = error as {
    message?: string;
    error?: { message?: string };
    info?: { error?: { message?: string } };
  };
  return [e?.message, e?.error?.message, e?.info?.error?.message].filter(Boolean).join(' ');
}
