import { type Interface, getAddress, isHexString } from 'ethers';
import { ChainError } from '../chain.errors';
import { SIGNER_LANES, type SignerLane } from './signer-lanes';

/** What a use case asks of the chain: one contract call, sent later by the worker. */
export interface ChainIntent {
  /** The signer lane; `platform` (the platform agent) by default. */
  lane?: SignerLane;
  to: string;
  data: string;
  /** Readable name of the call, e.g. `IdentityRegistry.registerIdentity`. */
  method: string;
  /** The business object it serves, e.g. `kyc-case:42`. */
  reference: string;
  /** Enqueuing the same key again returns the first transaction instead of a second one. */
  idempotencyKey: string;
  /** The ChainTxListener told of the outcome. */
  topic?: string;
  /** A fixed gas limit instead of an estimate. */
  gasLimit?: bigint;
}

/** Call data and readable name of `contract.fn(...args)`, checked against the contract's ABI. */
export function encodeCall(
  contract: string,
  iface: Interface,
  fn: string,
  args: readonly unknown[],
): Pick<ChainIntent, 'method' | 'data'> {
  return { method: `${contract}.${fn}`, data: iface.encodeFunctionData(fn, args) };
}

/** The intent with its lane defaulted and its address normalised; a malformed one is refused. */
export function normaliseIntent(
  intent: ChainIntent,
): Required<Omit<ChainIntent, 'topic' | 'gasLimit'>> & Pick<ChainIntent, 'topic' | 'gasLimit'> {
  const lane = intent.lane ?? 'platform';
  const problems: string[] = [];
  if (!SIGNER_LANES.includes(lane)) problems.push(`unknown signer lane ${String(lane)}`);
  let to = intent.to;
  try {
    to = getAddress(intent.to).toLowerCase();
  } catch {
    problems.push('to must be an address');
  }
  if (!isHexString(intent.data) || intent.data.length < 10) problems.push('data must be call data');
  if (!intent.idempotencyKey || intent.idempotencyKey.length > 200)
    problems.push('idempotencyKey must be 1 to 200 characters');
  if (!intent.reference || intent.reference.length > 200)
    problems.push('reference must be 1 to 200 characters');
  if (intent.gasLimit !== undefined && intent.gasLimit <= 21_000n)
    problems.push('gasLimit must exceed 21000');
  if (problems.length) throw ChainError.invalidIntent(problems);
  return { ...intent, lane, to, data: intent.data.toLowerCase() };
}
