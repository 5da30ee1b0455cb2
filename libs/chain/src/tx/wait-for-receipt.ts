import type { Provider, TransactionReceipt } from 'ethers';
import { safeErrorMessage, withTimeout } from '@gpu/common';

export interface WaitForReceiptOptions {
  timeoutMs?: number;
  pollMs?: number;
}

export class ReceiptTimeoutError extends Error {
  constructor(
    readonly txHash: string,
    readonly timeoutMs: number,
    lastError?: string,
  ) {
    const cause = lastError ? ` (last RPC error: ${lastError})` : '';
    super(`No receipt for transaction ${txHash} after ${timeoutMs} ms${cause}`);
    this.name = 'ReceiptTimeoutError';
  }
}

export class TransactionRevertedError extends Error {
  constructor(readonly receipt: TransactionReceipt) {
    super(`Transaction ${receipt.hash} reverted in block ${receipt.blockNumber}`);
    this.name = 'TransactionRevertedError';
  }
}

/**
 * Polls for the receipt of `txHash` until it exists, instead of `tx.wait()` (seen to hang against
 * anvil's instant mining). Throws ReceiptTimeoutError after `timeoutMs` and
 * TransactionRevertedError when the transaction reverted. RPC errors are retried until the
 * deadline.
 */
export async function waitForReceipt(
  provider: Pick<Provider, 'getTransactionReceipt'>,
  txHash: string,
  { timeoutMs = 30_000, pollMs = 100 }: WaitForReceiptOptions = {},
): Promise<TransactionReceipt> {
  const deadline = Date.now() + timeoutMs;
  let lastError: string | undefined;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new ReceiptTimeoutError(txHash, timeoutMs, lastError);
    try {
      const receipt = await withTimeout(
        provider.getTransactionReceipt(txHash),
        remaining,
        'RPC eth_getTransactionReceipt',
      );
      if (receipt) {
        if (receipt.status === 0) throw new TransactionRevertedError(receipt);
        return receipt;
      }
    } catch (error) {
      if (error instanceof TransactionRevertedError) throw error;
      lastError = safeErrorMessage(error);
    }
    await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
