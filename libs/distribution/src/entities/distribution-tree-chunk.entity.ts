import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Tree nodes per chunk row: 512 x 32 bytes = 16 KiB. */
export const NODES_PER_CHUNK = 512;

/**
 * A run of a distribution's Merkle tree nodes, in the tree's array order: node p is bytes
 * (p mod 512) x 32 of chunk p / 512. A proof is the siblings on the path from a leaf to the root,
 * each read by its position. Only the trees of a farm's latest published and newer distributions
 * are kept: the token accepts proofs of its latest root only.
 */
@Entity('distribution_tree_chunk')
export class DistributionTreeChunk {
  @PrimaryColumn('uuid')
  distributionId: string;

  @PrimaryColumn('integer')
  chunk: number;

  @Column('bytea')
  nodes: Buffer;
}
