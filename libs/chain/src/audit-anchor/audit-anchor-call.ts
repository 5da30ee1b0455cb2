import { type JsonRpcProvider, isHexString } from 'ethers';
import { withTimeout } from '@gpu/common';
import type { Deployment } from '../deployment/deployment';
import { AuditAnchor__factory } from '../generated';
import { type ChainIntent, encodeCall } from '../outbox/chain-intent';

const auditAnchor = AuditAnchor__factory.createInterface();

/** Where the indexer stores the AuditAnchor's anchors: chain_event rows of this contract and name. */
export const AUDIT_HEAD_ANCHORED = { contract: 'AuditAnchor', name: 'AuditHeadAnchored' } as const;

/** A head as the contract holds it: a 32-byte hash, 0x-prefixed, lower case. */
export function auditHeadBytes32(hash: string): string {
  const hex = (hash.startsWith('0x') ? hash : `0x${hash}`).toLowerCase();
  if (!isHexString(hex, 32)) throw new Error(`an audit head is a 32-byte hash, not ${hash}`);
  return hex;
}

/** `AuditAnchor.anchor(sequence, head)` of the deployment: target, readable name and call data. */
export function anchorAuditHeadCall(
  deployment: Deployment,
  sequence: bigint,
  head: string,
): Pick<ChainIntent, 'to' | 'method' | 'data'> {
  return {
    to: deployment.contracts.AuditAnchor.address,
    ...encodeCall('AuditAnchor', auditAnchor, 'anchor', [sequence, auditHeadBytes32(head)]),
  };
}

export interface AnchoredHead {
  sequence: bigint;
  /** 0x-prefixed, lower case. */
  head: string;
  /** The block both were read at. */
  blockNumber: bigint;
}

/**
 * The last head the AuditAnchor contract recorded, straight from the chain (both values read at
 * one block, so that an anchor mined in between cannot pair one head's sequence with another's
 * hash); null before the first anchor.
 */
export async function readAnchoredHead(
  provider: JsonRpcProvider,
  deployment: Deployment,
  timeoutMs: number,
): Promise<AnchoredHead | null> {
  const contract = AuditAnchor__factory.connect(deployment.contracts.AuditAnchor.address, provider);
  const read = async (): Promise<AnchoredHead | null> => {
    const blockNumber = await provider.getBlockNumber();
    const [sequence, head] = await Promise.all([
      contract.lastSequence({ blockTag: blockNumber }),
      contract.lastHead({ blockTag: blockNumber }),
    ]);
    if (sequence === 0n) return null;
    return { sequence, head: head.toLowerCase(), blockNumber: BigInt(blockNumber) };
  };
  return withTimeout(read(), timeoutMs, 'RPC AuditAnchor.lastSequence/lastHead');
}
