import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A node of a distribution's Merkle tree, by its position in the tree's array: a proof is the
 * siblings on the path from a leaf to the root, read by position. Only the trees of a farm's
 * latest published and newer distributions are kept: the token accepts proofs of its latest root only.
 */
@Entity('distribution_tree_node')
export class DistributionTreeNode {
  @PrimaryColumn('uuid')
  distributionId: string;

  @PrimaryColumn('integer')
  position: number;

  @Column('bytea')
  hash: Buffer;
}
