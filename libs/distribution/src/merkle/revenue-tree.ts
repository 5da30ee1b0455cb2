import { createKeccak, type IHasher } from 'hash-wasm';

/**
 * Revenue-claim Merkle tree, byte-for-byte identical to OpenZeppelin's `StandardMerkleTree`
 * (`@openzeppelin/merkle-tree` 1.0.8) with leaf encoding
 * `['uint256', 'address', 'address', 'uint256']` = (chainId, token, account, cumulativeAmount),
 * but fast enough for millions of leaves: keccak runs in WASM (hash-wasm) and the whole tree
 * lives in one packed Buffer instead of an array of hex strings.
 *
 * Layout (as OZ's `makeMerkleTree` / `MerkleTreeImpl.prepare`): leaves sorted ascending by hash
 * (ties keep input order, like OZ's stable sort), tree array of 2n-1 nodes, the k-th sorted leaf at
 * index (2n-1)-1-k, internal node i = keccak256(sorted(node[2i+1], node[2i+2])).
 */

const WORD = 32;
const UINT256_LIMIT = 1n << 256n;

/** Synchronous keccak-256 over a WASM hasher: create once with `await Keccak.create()`, reuse. */
export class Keccak {
  private constructor(private readonly hasher: IHasher) {}

  static async create(): Promise<Keccak> {
    return new Keccak(await createKeccak(256));
  }

  /**
   * keccak256(data) as a fresh 32-byte array. Hot paths should pass Buffers (or other off-heap
   * views): hash-wasm takes `data.buffer`, which for a small on-heap Uint8Array (e.g. a previous
   * digest) forces V8 to move its bytes off-heap first.
   */
  hash(data: Uint8Array): Uint8Array {
    this.hasher.init();
    this.hasher.update(data);
    return this.hasher.digest('binary');
  }
}

/** Writes `value` as a big-endian uint256 word at `offset`. */
function writeUint256(out: Buffer, offset: number, value: bigint, name: string): void {
  if (typeof value !== 'bigint' || value < 0n || value >= UINT256_LIMIT) {
    throw new RangeError(`${name} must be a bigint in [0, 2^256), got ${String(value)}`);
  }
  // 32 bits at a time from the low end (about 4x faster than byte-wise bigint shifts).
  let v = value;
  let i = offset + WORD - 4;
  while (v > 0n) {
    const x = Number(BigInt.asUintN(32, v));
    out[i] = x >>> 24;
    out[i + 1] = (x >>> 16) & 0xff;
    out[i + 2] = (x >>> 8) & 0xff;
    out[i + 3] = x & 0xff;
    v >>= 32n;
    i -= 4;
  }
  for (let j = offset; j < i + 4; j++) out[j] = 0;
}

/** Writes a 20-byte address to bytes [offset+12, offset+32) (its 12 padding bytes stay zero). */
function writeAddress(out: Buffer, offset: number, address: string, name: string): void {
  // Buffer#write('hex') stops at the first non-hex character, so 20 bytes written = 40 hex digits.
  if (
    typeof address !== 'string' ||
    address.length !== 42 ||
    address[0] !== '0' ||
    address[1] !== 'x' ||
    out.write(address.slice(2), offset + 12, 20, 'hex') !== 20
  ) {
    throw new TypeError(
      `${name} must be a 0x-prefixed 20-byte hex address, got ${String(address)}`,
    );
  }
}

// abi.encode scratch, reused across calls (all synchronous). Nothing ever writes the 12 padding
// bytes of the two address words, so they stay zero from Buffer.alloc. Words 0 (chainId) and
// 1 (token) are usually the same for every leaf of a distribution, so they are only re-encoded
// when they change.
const encoded = Buffer.alloc(4 * WORD);
const innerHash = Buffer.allocUnsafeSlow(WORD);
let encodedChainId: bigint | undefined;
let encodedToken: string | undefined;

/**
 * The leaf the distributor contract checks:
 *   keccak256(bytes.concat(keccak256(
 *     abi.encode(block.chainid, address(this), msg.sender, cumulativeAmount))))
 * i.e. OZ's `standardLeafHash(['uint256','address','address','uint256'],
 * [chainId, token, account, cumulative])`. Addresses are case-insensitive (no checksum check).
 * Returns a fresh 32-byte Buffer.
 */
export function revenueLeafHash(
  keccak: Keccak,
  chainId: bigint,
  token: string,
  account: string,
  cumulative: bigint,
): Buffer {
  if (chainId !== encodedChainId) {
    encodedChainId = undefined;
    writeUint256(encoded, 0, chainId, 'chainId');
    encodedChainId = chainId;
  }
  if (token !== encodedToken) {
    encodedToken = undefined;
    writeAddress(encoded, WORD, token, 'token');
    encodedToken = token;
  }
  writeAddress(encoded, 2 * WORD, account, 'account');
  writeUint256(encoded, 3 * WORD, cumulative, 'cumulative');
  // Copy into a (pooled) Buffer: far less memory per leaf than keeping one ArrayBuffer per digest.
  const leaf = Buffer.allocUnsafe(WORD);
  innerHash.set(keccak.hash(encoded));
  leaf.set(keccak.hash(innerHash));
  return leaf;
}

export interface RevenueTree {
  /** Root as 0x-prefixed lowercase hex (OZ's `tree.root`). */
  root: string;
  /** The 2n-1 nodes, 32 bytes each, packed in OZ's array order (node i at bytes [32i, 32i+32)). */
  nodes: Buffer;
  /** positions[i] = tree index of input leaf i (OZ's `values[i].treeIndex`). */
  positions: Uint32Array;
}

/** Unsigned big-endian comparison of the 32-byte nodes in slots a and b (= OZ's `compare`). */
function compareSlots(nodes: Buffer, a: number, b: number): number {
  const x = a * WORD;
  const y = b * WORD;
  for (let j = 0; j < WORD; j++) {
    if (nodes[x + j] !== nodes[y + j]) return nodes[x + j] - nodes[y + j];
  }
  return 0;
}

/**
 * Stable LSD radix sort (8-bit digits) of `index` by the uint32 `keys` (both permuted together).
 * Returns the sorted pair; the arrays passed in are reused as scratch.
 */
function radixSort(keys: Uint32Array, index: Uint32Array): [Uint32Array, Uint32Array] {
  const n = keys.length;
  let k = keys;
  let x = index;
  let k2: Uint32Array = new Uint32Array(n);
  let x2: Uint32Array = new Uint32Array(n);
  const bucket = new Uint32Array(256);
  for (let shift = 0; shift < 32; shift += 8) {
    bucket.fill(0);
    for (let i = 0; i < n; i++) bucket[(k[i] >>> shift) & 0xff]++;
    for (let b = 0, sum = 0; b < 256; b++) {
      const count = bucket[b];
      bucket[b] = sum;
      sum += count;
    }
    for (let i = 0; i < n; i++) {
      const key = k[i];
      const to = bucket[(key >>> shift) & 0xff]++;
      k2[to] = key;
      x2[to] = x[i];
    }
    [k, k2, x, x2] = [k2, k, x2, x];
  }
  return [k, x];
}

/** Builds the tree over already-hashed leaves (input order is preserved in `positions`). */
export function buildRevenueTree(keccak: Keccak, leafHashes: readonly Uint8Array[]): RevenueTree {
  const n = leafHashes.length;
  if (n === 0) {
    throw new Error('Cannot build a revenue Merkle tree with zero leaves');
  }
  if (2 * n - 1 > 0xffffffff) {
    throw new RangeError(`Too many leaves for a revenue Merkle tree: ${n}`);
  }
  const total = 2 * n - 1;
  // Own ArrayBuffer (never pooled), so offset 0 and the Uint32 view below is aligned.
  const nodes = Buffer.allocUnsafeSlow(total * WORD);
  const words = new Uint32Array(nodes.buffer, nodes.byteOffset, nodes.length / 4);

  // 1. Copy the leaves, in input order, into slots [0, n) (not yet used: internal nodes and the
  //    first leaf slot) and take each leaf's first 4 bytes as its big-endian sort key.
  const keys = new Uint32Array(n);
  const index = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const h = leafHashes[i];
    if (!(h instanceof Uint8Array) || h.length !== WORD) {
      throw new TypeError(`Leaf hash ${i} must be a 32-byte Uint8Array`);
    }
    nodes.set(h, i * WORD);
    keys[i] = ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0;
    index[i] = i;
  }

  // 2. Ascending by hash bytes; equal hashes keep input order (OZ sorts with a stable Array#sort).
  //    The stable radix sort orders by the key; the rare runs of equal keys are then ordered by the
  //    full hash, ties by input index.
  const [sortedKeys, order] = radixSort(keys, index);
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && sortedKeys[end] === sortedKeys[start]) end++;
    if (end - start > 1) {
      order.subarray(start, end).sort((a, b) => compareSlots(nodes, a, b) || a - b);
    }
    start = end;
  }

  // 3. The k-th smallest leaf goes to tree index (2n-1)-1-k. This reads slots [0, n) and writes
  //    slots [n-1, 2n-1): the only shared slot, n-1, is written last (k = n-1), after its one read.
  const positions = new Uint32Array(n);
  for (let k = 0; k < n; k++) {
    const input = order[k];
    const position = total - 1 - k;
    positions[input] = position;
    const from = input * 8;
    const to = position * 8;
    for (let j = 0; j < 8; j++) words[to + j] = words[from + j];
  }

  // 4. Internal nodes bottom-up (overwriting the scratch copies): node i =
  //    keccak256(min(c1, c2) ++ max(c1, c2)) for its children 2i+1 and 2i+2.
  const pair = Buffer.allocUnsafeSlow(2 * WORD);
  const pairWords = new Uint32Array(pair.buffer, pair.byteOffset, 16);
  for (let i = n - 2; i >= 0; i--) {
    const left = 2 * i + 1;
    const right = left + 1;
    const leftFirst = compareSlots(nodes, left, right) <= 0;
    const first = (leftFirst ? left : right) * 8;
    const second = (leftFirst ? right : left) * 8;
    for (let j = 0; j < 8; j++) {
      pairWords[j] = words[first + j];
      pairWords[8 + j] = words[second + j];
    }
    nodes.set(keccak.hash(pair), i * WORD);
  }

  return { root: '0x' + nodes.toString('hex', 0, WORD), nodes, positions };
}

/** Tree indices of the proof siblings, leaf upwards, root excluded (as OZ's getProof). */
export function proofPositions(position: number): number[] {
  if (!Number.isSafeInteger(position) || position < 0) {
    throw new RangeError(`Invalid tree position: ${position}`);
  }
  const siblings: number[] = [];
  let i = position;
  while (i > 0) {
    siblings.push(i % 2 === 1 ? i + 1 : i - 1);
    i = Math.floor((i - 1) / 2);
  }
  return siblings;
}

/** Proof (0x hex, leaf to root) for the leaf at tree `position`, identical to OZ's getProof. */
export function proofOf(nodes: Buffer, position: number): string[] {
  const total = nodes.length / WORD;
  if (!Number.isInteger(total) || total % 2 !== 1) {
    throw new RangeError(`Not a packed Merkle tree: ${nodes.length} bytes`);
  }
  if (
    !Number.isSafeInteger(position) ||
    position < 0 ||
    position >= total ||
    2 * position + 1 < total
  ) {
    throw new RangeError(`Tree position ${position} is not a leaf of a ${total}-node tree`);
  }
  return proofPositions(position).map(
    (sibling) => '0x' + nodes.toString('hex', sibling * WORD, sibling * WORD + WORD),
  );
}
