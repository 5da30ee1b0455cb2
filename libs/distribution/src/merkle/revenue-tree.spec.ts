import { SimpleMerkleTree, StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { mulberry32 } from '../testing/seeded-random';
import { keccak256 } from 'ethers';
import {
  buildRevenueTree,
  Keccak,
  proofOf,
  proofPositions,
  revenueLeafHash,
  type RevenueTree,
} from './revenue-tree';

type Leaf = [bigint, string, string, bigint];
const ENCODING = ['uint256', 'address', 'address', 'uint256'];
const MAX_UINT112 = (1n << 112n) - 1n;
const MAX_UINT256 = (1n << 256n) - 1n;

/** Deterministic PRNG in [0, 1), so failures are reproducible. */
function rng(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}

function randomAddress(rand: () => number): string {
  let hex = '';
  for (let i = 0; i < 40; i++) {
    const c = Math.floor(rand() * 16).toString(16);
    hex += rand() < 0.5 ? c.toUpperCase() : c; // mixed case, not EIP-55
  }
  return '0x' + hex;
}

function randomAmount(rand: () => number): bigint {
  const r = rand();
  if (r < 0.05) return 0n;
  if (r < 0.1) return 1n;
  if (r < 0.15) return MAX_UINT112;
  let v = 0n;
  const bits = 1 + Math.floor(rand() * 112);
  for (let i = 0; i < bits; i++) v = (v << 1n) | (rand() < 0.5 ? 1n : 0n);
  return v;
}

function randomLeaves(count: number, seed: number): Leaf[] {
  const rand = rng(seed);
  const tokens = [randomAddress(rand), randomAddress(rand), randomAddress(rand)];
  const chains = [1n, 8453n, 31337n];
  const leaves: Leaf[] = [];
  for (let i = 0; i < count; i++) {
    leaves.push([
      chains[Math.floor(rand() * chains.length)],
      tokens[Math.floor(rand() * tokens.length)],
      randomAddress(rand),
      randomAmount(rand),
    ]);
  }
  return leaves;
}

describe('revenue Merkle tree', () => {
  let keccak: Keccak;

  beforeAll(async () => {
    keccak = await Keccak.create();
  });

  const hashLeaves = (leaves: Leaf[]): Buffer[] =>
    leaves.map(([chainId, token, account, amount]) =>
      revenueLeafHash(keccak, chainId, token, account, amount),
    );

  /** Checks root, full node array, positions and every proof against OZ's StandardMerkleTree. */
  function expectSameAsOpenZeppelin(leaves: Leaf[]): RevenueTree {
    const oz = StandardMerkleTree.of(leaves, ENCODING);
    const ours = buildRevenueTree(keccak, hashLeaves(leaves));
    const dump = oz.dump();

    expect(ours.root).toBe(oz.root);
    expect(ours.nodes.length).toBe(dump.tree.length * 32);
    const ourNodes = dump.tree.map(
      (_, i) => '0x' + ours.nodes.toString('hex', i * 32, i * 32 + 32),
    );
    expect(ourNodes).toEqual(dump.tree);
    expect(Array.from(ours.positions)).toEqual(dump.values.map((v) => v.treeIndex));

    leaves.forEach((leaf, i) => {
      const proof = proofOf(ours.nodes, ours.positions[i]);
      expect(proof).toEqual(oz.getProof(i));
      expect(StandardMerkleTree.verify(ours.root, ENCODING, leaf, proof)).toBe(true);
    });
    return ours;
  }

  describe('Keccak', () => {
    it('hashes like keccak-256 (empty input and ethers on random bytes)', () => {
      expect(Buffer.from(keccak.hash(new Uint8Array(0))).toString('hex')).toBe(
        'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
      );
      const rand = rng(7);
      for (const size of [1, 32, 64, 135, 136, 137, 300]) {
        const data = Uint8Array.from({ length: size }, () => Math.floor(rand() * 256));
        expect('0x' + Buffer.from(keccak.hash(data)).toString('hex')).toBe(keccak256(data));
      }
    });
  });

  describe('revenueLeafHash', () => {
    it("equals OZ's leafHash, including mixed-case addresses and boundary amounts", () => {
      const leaves: Leaf[] = [
        ...randomLeaves(20, 1),
        [1n, '0xAbCdEf0123456789aBcDeF0123456789AbCdEf01', '0x' + 'f'.repeat(40), 0n],
        [MAX_UINT256, '0x' + '0'.repeat(40), '0x' + 'F'.repeat(40), MAX_UINT256],
        [31337n, '0x5FbDB2315678afecb367f032d93F642f64180aa3', randomAddress(rng(2)), MAX_UINT112],
      ];
      const oz = StandardMerkleTree.of(leaves, ENCODING);
      for (const leaf of leaves) {
        const [chainId, token, account, amount] = leaf;
        const ours = revenueLeafHash(keccak, chainId, token, account, amount);
        expect(ours).toHaveLength(32);
        expect('0x' + ours.toString('hex')).toBe(oz.leafHash(leaf));
      }
    });

    it('is case-insensitive in addresses', () => {
      const token = '0xAbCdEf0123456789aBcDeF0123456789AbCdEf01';
      const account = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
      expect(revenueLeafHash(keccak, 1n, token, account, 5n)).toEqual(
        revenueLeafHash(
          keccak,
          1n,
          token.toLowerCase(),
          account.toUpperCase().replace('0X', '0x'),
          5n,
        ),
      );
    });

    it('rejects malformed addresses and out-of-range integers', () => {
      const a = '0x' + '1'.repeat(40);
      expect(() => revenueLeafHash(keccak, 1n, '0x' + '1'.repeat(39), a, 1n)).toThrow(/token/);
      expect(() => revenueLeafHash(keccak, 1n, a, '1'.repeat(40), 1n)).toThrow(/account/);
      expect(() => revenueLeafHash(keccak, 1n, a, '0x' + 'g'.repeat(40), 1n)).toThrow(/account/);
      expect(() => revenueLeafHash(keccak, 1n, a, a, -1n)).toThrow(/cumulative/);
      expect(() => revenueLeafHash(keccak, 1n, a, a, MAX_UINT256 + 1n)).toThrow(/cumulative/);
      expect(() => revenueLeafHash(keccak, -1n, a, a, 1n)).toThrow(/chainId/);
    });

    it('stays correct after rejected inputs and when chainId/token change between calls', () => {
      const leaves = randomLeaves(6, 11);
      const oz = StandardMerkleTree.of(leaves, ENCODING);
      const good = '0x' + '1'.repeat(40);
      const check = (leaf: Leaf) =>
        expect('0x' + revenueLeafHash(keccak, ...leaf).toString('hex')).toBe(oz.leafHash(leaf));
      check(leaves[0]);
      expect(() =>
        revenueLeafHash(keccak, 5n, '0x' + '2'.repeat(20) + 'zz' + '2'.repeat(18), good, 1n),
      ).toThrow();
      check(leaves[0]);
      expect(() => revenueLeafHash(keccak, 1n << 256n, good, good, 1n)).toThrow();
      leaves.forEach(check);
      leaves.slice().reverse().forEach(check);
    });
  });

  describe('buildRevenueTree', () => {
    it.each(Array.from({ length: 33 }, (_, i) => i + 1))(
      'matches StandardMerkleTree for %i leaves',
      (size) => {
        expectSameAsOpenZeppelin(randomLeaves(size, 1000 + size));
      },
    );

    it('matches StandardMerkleTree for 500 random leaves (with a duplicate leaf)', () => {
      const leaves = randomLeaves(499, 42);
      leaves.push([...leaves[17]]); // equal hashes keep input order, like OZ's stable sort
      expectSameAsOpenZeppelin(leaves);
    });

    it('orders shared 4..31-byte prefixes and equal leaves like OZ (bytes32 leaves)', () => {
      // SimpleMerkleTree uses the leaf bytes as-is, with the same sorting and node hash.
      const rand = rng(77);
      const prefixes = ['00000000', 'ffffffff', '80000001', '12345678'];
      const hashes: Buffer[] = [];
      for (let i = 0; i < 300; i++) {
        const h = Buffer.from(Array.from({ length: 32 }, () => Math.floor(rand() * 256)));
        h.write(prefixes[i % prefixes.length], 0, 'hex');
        // also copy 0..28 further bytes from an earlier leaf with the same prefix (28 = equal leaf)
        if (i >= 32) hashes[i - 4 * (1 + (i % 7))].copy(h, 4, 4, 4 + Math.floor(rand() * 29));
        hashes.push(h);
      }
      hashes.push(
        Buffer.from(hashes[5]),
        Buffer.from(hashes[250]),
        Buffer.alloc(32),
        Buffer.alloc(32, 0xff),
      );
      const oz = SimpleMerkleTree.of(hashes);
      const ours = buildRevenueTree(keccak, hashes);
      const dump = oz.dump();
      expect(ours.root).toBe(oz.root);
      expect(
        dump.tree.map((_, i) => '0x' + ours.nodes.toString('hex', i * 32, i * 32 + 32)),
      ).toEqual(dump.tree);
      expect(Array.from(ours.positions)).toEqual(dump.values.map((v) => v.treeIndex));
      hashes.forEach((_, i) =>
        expect(proofOf(ours.nodes, ours.positions[i])).toEqual(oz.getProof(i)),
      );
    });

    it('matches SimpleMerkleTree on 3000 random leaf hashes', () => {
      const rand = rng(3000);
      const hashes = Array.from({ length: 3000 }, () =>
        Uint8Array.from({ length: 32 }, () => Math.floor(rand() * 256)),
      );
      const oz = SimpleMerkleTree.of(hashes);
      const ours = buildRevenueTree(keccak, hashes);
      expect(ours.root).toBe(oz.root);
      expect(Array.from(ours.positions)).toEqual(oz.dump().values.map((v) => v.treeIndex));
      for (const i of [0, 1, 1499, 2998, 2999]) {
        expect(proofOf(ours.nodes, ours.positions[i])).toEqual(oz.getProof(i));
      }
    });

    it('throws a clear error for zero leaves', () => {
      expect(() => buildRevenueTree(keccak, [])).toThrow(/zero leaves/);
    });

    it('rejects leaf hashes that are not 32 bytes', () => {
      expect(() => buildRevenueTree(keccak, [new Uint8Array(31)])).toThrow(/32-byte/);
    });

    it('changes the root when one amount is tampered with', () => {
      const leaves = randomLeaves(50, 9);
      const honest = expectSameAsOpenZeppelin(leaves);
      const tampered = leaves.map((l) => [...l] as Leaf);
      tampered[23][3] += 1n;
      const other = buildRevenueTree(keccak, hashLeaves(tampered));
      expect(other.root).not.toBe(honest.root);
      expect(other.root).toBe(StandardMerkleTree.of(tampered, ENCODING).root);
      // the honest proof no longer verifies the tampered leaf
      const proof = proofOf(honest.nodes, honest.positions[23]);
      expect(StandardMerkleTree.verify(honest.root, ENCODING, tampered[23], proof)).toBe(false);
    });
  });

  describe('proofs', () => {
    it('walks siblings from leaf to root in OZ order', () => {
      expect(proofPositions(0)).toEqual([]);
      expect(proofPositions(1)).toEqual([2]);
      expect(proofPositions(2)).toEqual([1]);
      expect(proofPositions(6)).toEqual([5, 1]);
      expect(proofPositions(7)).toEqual([8, 4, 2]);
      expect(proofPositions(12)).toEqual([11, 6, 1]);
      expect(() => proofPositions(-1)).toThrow();
      expect(() => proofPositions(1.5)).toThrow();
    });

    it('proofOf rejects internal nodes and out-of-range positions', () => {
      // 4 leaves: 7 nodes, leaves at 3..6
      const { nodes } = buildRevenueTree(keccak, hashLeaves(randomLeaves(4, 3)));
      expect(proofOf(nodes, 3)).toHaveLength(2);
      expect(() => proofOf(nodes, 2)).toThrow(/not a leaf/);
      expect(() => proofOf(nodes, 7)).toThrow(/not a leaf/);
      expect(() => proofOf(nodes.subarray(0, 64), 1)).toThrow(/Not a packed/);
    });

    it('a single leaf is its own root with an empty proof', () => {
      const [leaf] = hashLeaves(randomLeaves(1, 5));
      const tree = buildRevenueTree(keccak, [leaf]);
      expect(tree.root).toBe('0x' + leaf.toString('hex'));
      expect(Array.from(tree.positions)).toEqual([0]);
      expect(proofOf(tree.nodes, 0)).toEqual([]);
    });
  });
});
