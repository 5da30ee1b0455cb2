import { StandardMerkleTree } from '@openzeppelin/merkle-tree';

/** GpuFarmToken's revenue leaf: chain id, farm token, account, cumulative entitlement. */
export const REVENUE_LEAF_ENCODING = ['uint256', 'address', 'address', 'uint256'];

export type RevenueLeaf = [bigint, string, string, bigint];

/** Where a tree's proofs are valid: one chain, one farm token. */
export interface RevenueScope {
  chainId: bigint;
  token: string;
}

export interface ClaimData {
  cumulative: bigint;
  proof: string[];
}

/** One epoch's tree over cumulative entitlements of one farm token, as the publisher builds it. */
export class RevenueTree {
  readonly tree: StandardMerkleTree<RevenueLeaf>;
  readonly root: string;
  /** Sum of all cumulative entitlements: what must be funded in total up to this epoch. */
  readonly totalCumulative: bigint;

  constructor(
    readonly scope: RevenueScope,
    readonly entitlements: ReadonlyMap<string, bigint>,
  ) {
    const leaves: RevenueLeaf[] = [...entitlements].map(([account, cumulative]) => [
      scope.chainId,
      scope.token,
      account,
      cumulative,
    ]);
    this.tree = StandardMerkleTree.of(leaves, REVENUE_LEAF_ENCODING);
    this.root = this.tree.root;
    this.totalCumulative = [...entitlements.values()].reduce((sum, amount) => sum + amount, 0n);
  }

  /** The cumulative amount and proof of `account`'s leaf; throws if it has none. */
  claimOf(account: string): ClaimData {
    for (const [index, leaf] of this.tree.entries()) {
      if (leaf[2].toLowerCase() === account.toLowerCase()) {
        return { cumulative: leaf[3], proof: this.tree.getProof(index) };
      }
    }
    throw new Error(`no leaf for ${account}`);
  }
}
