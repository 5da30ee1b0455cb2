import type { BaseContract, JsonRpcProvider, LogDescription, TransactionReceipt } from 'ethers';

async function parsedEvents(
  receipt: TransactionReceipt,
  contract: BaseContract,
  eventName: string,
): Promise<LogDescription[]> {
  const address = (await contract.getAddress()).toLowerCase();
  const found: LogDescription[] = [];
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== address) continue;
    const parsed = contract.interface.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed?.name === eventName) found.push(parsed);
  }
  return found;
}

/** The decoded arguments of every `eventName` log that `contract` emitted in `receipt`, in order. */
export async function eventsOf(
  receipt: TransactionReceipt,
  contract: BaseContract,
  eventName: string,
): Promise<unknown[][]> {
  return (await parsedEvents(receipt, contract, eventName)).map((event) => [...event.args]);
}

/** Like eventsOf, but each event as an object of its named arguments. */
export async function namedEventsOf(
  receipt: TransactionReceipt,
  contract: BaseContract,
  eventName: string,
): Promise<Record<string, unknown>[]> {
  return (await parsedEvents(receipt, contract, eventName)).map((event) => event.args.toObject());
}

/** The timestamp of the block that holds `receipt`. */
export async function blockTime(
  provider: JsonRpcProvider,
  receipt: TransactionReceipt,
): Promise<number> {
  const block = await provider.getBlock(receipt.blockNumber);
  if (!block) throw new Error(`block ${receipt.blockNumber} not found`);
  return block.timestamp;
}

/**
 * Fixes the timestamp of the next mined block; calls and gas estimates until then also run at it,
 * so a refusal at an exact boundary can be asserted before the block is mined.
 */
export async function setNextBlockTime(
  provider: JsonRpcProvider,
  timestamp: number,
): Promise<void> {
  await provider.send('evm_setNextBlockTimestamp', [timestamp]);
}
