import type { Logger } from '@nestjs/common';
import { type JsonRpcProvider, Transaction, type Wallet } from 'ethers';
import { safeErrorMessage } from '@gpu/common';
import { type ChainTx, ChainTxState } from '../entities/chain-tx.entity';
import type { ChainTxAttempt } from '../entities/chain-tx-attempt.entity';
import { rpcBatch, rpcResult } from '../rpc-batch';
import type { ChainTxRepository, NewAttempt } from './chain-tx.repository';
import { type Fees, bumpedFees, initialFees } from './fee-policy';
import { describeRevertData, revertDataOf } from './revert-reason';

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
const ESTIMATE_CONCURRENCY = 16;

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
      () => this.broadcastSigned(),
      () => this.trackBroadcast(),
      () => this.finalizeMined(),
      () => this.signQueued(),
      () => this.broadcastSigned(),
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
   * Sends every signed (not yet broadcast) transaction, in nonce order. A refusal stops the rest
   * (later nonces cannot be mined before it); a refused one older than TX_STUCK_AFTER_MS is signed
   * again at the same nonce with today's fees.
   */
  private async broadcastSigned(): Promise<boolean> {
    const rows = await this.txs.inStates(this.settings.chainId, this.lane, [ChainTxState.Signed]);
    if (rows.length === 0) return false;
    const attempts = await this.txs.currentAttempts(rows.map((r) => r.id));
    const sent: string[] = [];
    for (const row of rows) {
      const attempt = attempts.get(row.id)!;
      try {
        await this.sendRaw(attempt.raw);
        sent.push(row.id);
      } catch (error) {
        await this.txs.markBroadcast(sent);
        await this.txs.noteError([row.id], `broadcast: ${safeErrorMessage(error)}`);
        if (Date.now() - attempt.createdAt.getTime() > this.settings.stuckAfterMs) {
          await this.replace(row);
        }
        throw error;
      }
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
      for (const row of passed) {
        const receipt = attempts
          .get(row.id)!
          .map((a) => receipts.get(a.hash))
          .find((r) => r !== undefined);
        if (!receipt) {
          unexplained.push(row.id);
          continue;
        }
        await this.txs.markMined(row.id, {
          hash: receipt.transactionHash,
          blockNumber: BigInt(receipt.blockNumber),
          blockHash: receipt.blockHash,
          succeeded: BigInt(receipt.status) === 1n,
          gasUsed: BigInt(receipt.gasUsed),
        });
        moved = true;
      }
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
        await this.txs.finalize(row.id, ChainTxState.Confirmed);
      } else {
        await this.txs.finalize(row.id, ChainTxState.Failed, await this.replayRevert(row));
      }
    }
    return true;
  }

  /**
   * Signs the next queued transactions. Each call is simulated first: one that would revert fails
   * here without using a nonce, unless earlier transactions of the lane are still in flight (it
   * may depend on them), in which case it waits for them.
   */
  private async signQueued(): Promise<boolean> {
    const queued = await this.txs.queued(this.settings.chainId, this.lane, this.settings.batchSize);
    if (queued.length === 0) return false;
    const inFlight = await this.txs.countInStates(this.settings.chainId, this.lane, [
      ChainTxState.Signed,
      ChainTxState.Broadcast,
    ]);
    const ready: { row: ChainTx; gasLimit: bigint }[] = [];
    let moved = false;
    let blocked = false;
    for (let start = 0; start < queued.length && !blocked; start += ESTIMATE_CONCURRENCY) {
      const chunk = queued.slice(start, start + ESTIMATE_CONCURRENCY);
      const estimates = await Promise.all(chunk.map((row) => this.estimate(row)));
      for (const [i, row] of chunk.entries()) {
        const estimate = estimates[i];
        if ('gasLimit' in estimate) {
          ready.push({ row, gasLimit: estimate.gasLimit });
          continue;
        }
        blocked = true;
        if ('transient' in estimate) {
          await this.txs.noteError([row.id], `gas estimate: ${estimate.transient}`);
        } else if (inFlight === 0 && ready.length === 0) {
          await this.txs.finalize(row.id, ChainTxState.Failed, estimate.revert);
          moved = true;
        }
        break;
      }
    }
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

  private async estimate(
    row: ChainTx,
  ): Promise<{ gasLimit: bigint } | { revert: string } | { transient: string }> {
    try {
      const estimated = await this.provider.estimateGas({
        from: this.wallet.address,
        to: row.target,
        data: row.data,
      });
      const withMargin = estimated + (estimated * GAS_MARGIN_PERCENT) / 100n;
      return { gasLimit: row.gasLimit ?? withMargin };
    } catch (error) {
      const data = revertDataOf(error);
      if (data !== undefined) {
        if (row.gasLimit) return { gasLimit: row.gasLimit };
        return { revert: describeRevertData(data) };
      }
      return { transient: safeErrorMessage(error) };
    }
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
    const raw = await this.wallet.signTransaction(tx);
    return {
      chainTxId: row.id,
      hash: Transaction.from(raw).hash!,
      nonce,
      gasLimit,
      raw,
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

export type { ChainTxAttempt };
