import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from '@nestjs/common';
import { type JsonRpcProvider, Wallet, id } from 'ethers';
import { DataSource } from 'typeorm';
import {
  ChainIndexer,
  type Deployment,
  IndexRepository,
  createChainProvider,
  registryInvestorId,
  rpcBatch,
  rpcResult,
} from '@gpu/chain';
import { safeErrorMessage } from '@gpu/common';
import { type AppConfig, wellKnownDevPrivateKeys } from '@gpu/config';
import { dataSourceOptions } from '@gpu/database';
import {
  GpuFarmTokenFactory__factory,
  GpuFarmToken__factory,
  IdentityRegistry__factory,
} from '../../libs/chain/src/generated';
import { ENTITIES } from '../../migrations/entities';
import { RpcCounter, type RoundTrips, SqlCounter } from './io-counters';
import { MethodTimer } from './method-timer';
import { type Call, encodeBatchMint, mineAll, receiptsOf, rpc, sendFrom } from './raw-txs';

export interface IndexerBenchOptions {
  /** Transfer logs of the token, mints and transfers together. */
  logs: number;
  /** Registered wallets the mints go to. */
  recipients: number;
  /** Mints per batchMint transaction. */
  mintsPerTx: number;
  /** batchMint transactions per block. */
  txsPerBlock: number;
  /** Consecutive mints to the same holder within a batchMint. */
  mintsInARow: number;
  /** Of `logs`, how many are transfers between holders (the rest are mints). */
  transfers: number;
  /** Holders (funded wallets of the benchmark) that send those transfers. */
  senders: number;
  /** INDEXER_BATCH_BLOCKS of each catch-up run; the first is the reported one. */
  batchBlocks: number[];
}

export interface CatchUpFigures {
  batchBlocks: number;
  rounds: number;
  /** Rounds that threw (an RPC timeout, say) and were tried again, and the first reason. */
  failedRounds: number;
  failure?: string;
  /** The longest the process's event loop was blocked during the catch-up. */
  eventLoopMaxMs: number;
  blocks: number;
  logs: number;
  ms: number;
  logsPerSec: number;
  blocksPerSec: number;
  /** Undo of the previous run's catch-up (IndexRepository.rollbackAfter), before this one. */
  rollbackMs?: number;
  problems: string[];
  methods: [string, { calls: number; totalMs: number }][];
  rpc: [string, RoundTrips][];
  sql: [string, RoundTrips][];
}

export interface IndexerFigures {
  rpcTimeoutMs: number;
  setupMs: number;
  generateMs: number;
  blocksWithLogs: number;
  firstBlock: number;
  lastBlock: number;
  totalSupply: bigint;
  runs: CatchUpFigures[];
}

const COUNTRY_DE = 276;
const YEAR = 365 * 24 * 3600;
const silentLogger = { log() {}, warn() {}, error() {} } as unknown as Logger;

/**
 * Catching up on `options.logs` Transfer logs of one farm token: they are written to the chain
 * while no indexer runs (the stack's worker is stopped), then a ChainIndexer over its own
 * DataSource runs `round()` until it reports no block; only that loop is timed. Each further
 * batch size first rolls the index back to where it was before the logs (the indexer's own
 * rollback) and catches up again.
 */
export async function benchIndexer(
  config: AppConfig,
  deployment: Deployment,
  options: IndexerBenchOptions,
  log: (line: string) => void,
): Promise<IndexerFigures> {
  // The provider and settings the worker's indexer would have.
  const provider = createChainProvider(config.RPC_URL, deployment.chainId, config.RPC_TIMEOUT_MS);
  const dataSource = new DataSource(
    dataSourceOptions({
      url: config.DATABASE_URL,
      entities: ENTITIES,
      applicationName: 'gpu-bench-indexer',
    }),
  );
  try {
    await dataSource.initialize();
    const store = new IndexRepository(dataSource);
    const indexer = (batchBlocks: number) =>
      new ChainIndexer(
        {
          confirmations: config.CHAIN_CONFIRMATIONS,
          batchBlocks,
          rpcTimeoutMs: config.RPC_TIMEOUT_MS,
        },
        deployment,
        provider,
        store,
        silentLogger,
      );

    const generation = await generateTransfers(config.RPC_URL, deployment, options, async () => {
      // What came before the logs (registrations, the token's creation) is indexed untimed.
      const before = indexer(2000);
      while ((await before.round()).blocks > 0);
    });
    const preCursor = (await store.cursor(deployment.chainId))!;
    if (preCursor.blockNumber !== BigInt(generation.firstBlock - 1)) {
      throw new Error(
        `index cursor at ${preCursor.blockNumber} before the logs, expected ${generation.firstBlock - 1}`,
      );
    }
    log(
      `${options.logs.toLocaleString('en-US')} Transfer logs in blocks ${generation.firstBlock}..${generation.lastBlock} (${generation.blocksWithLogs} with logs), generated in ${(generation.generateMs / 1000).toFixed(1)} s`,
    );

    const runs: CatchUpFigures[] = [];
    const timer = new MethodTimer();
    timer.wrap(ChainIndexer.prototype, 'indexer', [
      'round',
      'knownContracts',
      'forkPoint',
      'getLogs',
      'blockHashes',
    ]);
    timer.wrap(IndexRepository.prototype, 'store', [
      'cursor',
      'write',
      'insertTransfers',
      'insertEvents',
    ]);
    if (timer.missing.length)
      log(`not timed (no such method any more): ${timer.missing.join(', ')}`);
    const sql = new SqlCounter();
    const rpc = new RpcCounter(provider);
    try {
      for (const [i, batchBlocks] of options.batchBlocks.entries()) {
        let rollbackMs: number | undefined;
        if (i > 0) {
          const started = performance.now();
          await store.rollbackAfter(deployment.chainId, preCursor);
          rollbackMs = performance.now() - started;
          const left = await countTransfers(dataSource, generation.token);
          if (left !== 0) throw new Error(`rollback left ${left} transfers`);
        }
        timer.reset();
        sql.reset();
        rpc.reset();
        const catchUp = indexer(batchBlocks);
        let rounds = 0;
        let blocks = 0;
        let logs = 0;
        let failedRounds = 0;
        let failure: string | undefined;
        const loopDelay = monitorEventLoopDelay({ resolution: 10 });
        loopDelay.enable();
        const started = performance.now();
        for (let inARow = 0; ;) {
          let round: Awaited<ReturnType<ChainIndexer['round']>>;
          try {
            round = await catchUp.round();
            inARow = 0;
          } catch (error) {
            // As the worker's loop does, the round is tried again (the worker also backs off).
            failedRounds += 1;
            failure ??= safeErrorMessage(error);
            if (++inARow >= 20) throw new Error(`indexer: 20 failed rounds in a row: ${failure}`);
            continue;
          }
          if (round.rolledBackTo !== undefined) throw new Error('unexpected reorg rollback');
          if (round.blocks === 0) break;
          rounds += 1;
          blocks += round.blocks;
          logs += round.logs;
        }
        const ms = performance.now() - started;
        loopDelay.disable();
        const methods = timer.entries();
        const rpcCalls = [...rpc.calls.entries()];
        const statements = [...sql.statements.entries()];
        const figures: CatchUpFigures = {
          batchBlocks,
          rounds,
          failedRounds,
          failure,
          eventLoopMaxMs: loopDelay.max / 1e6,
          blocks,
          logs,
          ms,
          logsPerSec: logs / (ms / 1000),
          blocksPerSec: blocks / (ms / 1000),
          rollbackMs,
          problems: await verify(dataSource, provider, generation, options),
          methods,
          rpc: rpcCalls,
          sql: statements,
        };
        runs.push(figures);
        log(
          `INDEXER_BATCH_BLOCKS=${batchBlocks}: ${logs} logs, ${blocks} blocks in ${(ms / 1000).toFixed(2)} s (${rounds} rounds${failedRounds ? `, ${failedRounds} failed: ${failure}` : ''})${rollbackMs !== undefined ? `, after a rollback of ${(rollbackMs / 1000).toFixed(2)} s` : ''}${figures.problems.length ? `; PROBLEMS: ${figures.problems.join('; ')}` : ''}`,
        );
      }
    } finally {
      rpc.restore();
      sql.restore();
      timer.restore();
    }
    return {
      rpcTimeoutMs: config.RPC_TIMEOUT_MS,
      setupMs: generation.setupMs,
      generateMs: generation.generateMs,
      blocksWithLogs: generation.blocksWithLogs,
      firstBlock: generation.firstBlock,
      lastBlock: generation.lastBlock,
      totalSupply: generation.totalSupply,
      runs,
    };
  } finally {
    provider.destroy();
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}

interface Generation {
  token: string;
  recipients: string[];
  setupMs: number;
  generateMs: number;
  firstBlock: number;
  lastBlock: number;
  blocksWithLogs: number;
  totalSupply: bigint;
}

/**
 * Registers the recipients, creates a farm token whose issuer is a wallet of the benchmark,
 * calls `beforeLogs` (the chain then holds everything but the logs), and writes the Transfer
 * logs: batchMint transactions, `txsPerBlock` to a block, then the transfers between holders, as
 * many to a block as fit. Blocks are mined explicitly; anvil signs (dev accounts, impersonated
 * wallets).
 */
async function generateTransfers(
  url: string,
  deployment: Deployment,
  options: IndexerBenchOptions,
  beforeLogs: () => Promise<void>,
): Promise<Generation> {
  // Blocks are mined explicitly, with room for every pending transaction: anvil's automine
  // leaves some of a burst of transactions pending for good, and its block builder drops (not
  // defers) some transactions that do not fit into a full block.
  const latest = await rpc<{ gasLimit: string }>(url, 'eth_getBlockByNumber', ['latest', false]);
  await rpc(url, 'evm_setAutomine', [false]);
  await rpc(url, 'evm_setBlockGasLimit', ['0x3b9aca00']);
  try {
    return await writeTransfers(url, deployment, options, beforeLogs);
  } finally {
    await rpc(url, 'evm_setBlockGasLimit', [latest.gasLimit]);
    await rpc(url, 'evm_setAutomine', [true]);
  }
}

async function writeTransfers(
  url: string,
  deployment: Deployment,
  options: IndexerBenchOptions,
  beforeLogs: () => Promise<void>,
): Promise<Generation> {
  const started = performance.now();
  const keys = wellKnownDevPrivateKeys();
  const admin = new Wallet(keys[0]).address;
  const agent = new Wallet(keys[1]).address;
  const minter = new Wallet(id('bench-chain:minter')).address;
  const senders = Array.from(
    { length: options.senders },
    (_, i) => new Wallet(id(`bench-chain:holder:${i}`)).address,
  );
  for (const wallet of [minter, ...senders]) {
    await rpc(url, 'anvil_setBalance', [wallet, '0x56bc75e2d63100000']);
    await rpc(url, 'anvil_impersonateAccount', [wallet]);
  }
  const recipients = [
    ...senders,
    ...Array.from(
      { length: options.recipients - senders.length },
      (_, i) => new Wallet(id(`bench-chain:recipient:${i}`)).address,
    ),
  ];

  const registry = IdentityRegistry__factory.createInterface();
  const expiry = Math.floor(Date.now() / 1000) + YEAR;
  const REGISTER_CHUNK = 250;
  const setup: Call[] = [];
  for (let start = 0; start < recipients.length; start += REGISTER_CHUNK) {
    const chunk = recipients.slice(start, start + REGISTER_CHUNK);
    setup.push({
      to: deployment.contracts.IdentityRegistry.address,
      data: registry.encodeFunctionData('batchRegisterIdentity', [
        chunk,
        chunk.map((w) => registryInvestorId(w)),
        chunk.map(() => COUNTRY_DE),
        chunk.map(() => expiry),
      ]),
      gasLimit: 15_000_000n,
    });
  }
  const factory = GpuFarmTokenFactory__factory.createInterface();
  const factoryAddress = deployment.contracts.GpuFarmTokenFactory.address;
  const farmId = id('farm:bench-chain');
  setup.push({
    to: factoryAddress,
    data: factory.encodeFunctionData('createFarmToken', [
      farmId,
      {
        name: 'GPU Farm bench',
        symbol: 'GPUB',
        admin,
        agent,
        minter,
        treasury: admin,
        maxBalance: 0n,
        maxHolders: 0,
        lockupEnd: 0,
        allowedCountries: [COUNTRY_DE],
      },
    ]),
    gasLimit: 2_000_000n,
  });
  const setupHashes = await sendFrom(url, agent, setup);
  await mineAll(url);
  await receiptsOf(url, setupHashes, 'registrations and token creation');
  const tokenOf = await rpc<string>(url, 'eth_call', [
    { to: factoryAddress, data: factory.encodeFunctionData('tokenOf', [farmId]) },
    'latest',
  ]);
  const token = (factory.decodeFunctionResult('tokenOf', tokenOf)[0] as string).toLowerCase();

  const setupMs = performance.now() - started;
  await beforeLogs();
  const logsStarted = performance.now();
  const firstBlock = Number(await rpc<string>(url, 'eth_blockNumber')) + 1;

  const tokenAbi = GpuFarmToken__factory.createInterface();
  const batchMint = tokenAbi.getFunction('batchMint')!.selector;
  const mints = options.logs - options.transfers;
  const mintCalls: Call[] = [];
  let minted = 0n;
  for (let start = 0; start < mints; start += options.mintsPerTx) {
    const to: string[] = [];
    const amounts: bigint[] = [];
    for (let k = start; k < Math.min(mints, start + options.mintsPerTx); k++) {
      // Each holder a few mints in a row: a mint to a holder whose slots are already warm costs
      // less gas, and anvil's time goes with gas (and with blocks).
      to.push(recipients[Math.floor(k / options.mintsInARow) % recipients.length]);
      amounts.push(BigInt(100 + (k % 97)));
      minted += amounts[amounts.length - 1];
    }
    // Room for every mint to be to a new holder (about 50k gas each).
    mintCalls.push({
      to: token,
      data: encodeBatchMint(batchMint, to, amounts),
      gasLimit: BigInt(Math.min(16_000_000, 60_000 * to.length)),
    });
  }
  const transferCalls = new Map<string, Call[]>();
  const perSender = Math.ceil(options.transfers / senders.length);
  for (let k = 0; k < options.transfers; k++) {
    const sender = senders[Math.floor(k / perSender)];
    transferCalls.set(sender, [
      ...(transferCalls.get(sender) ?? []),
      {
        to: token,
        data: tokenAbi.encodeFunctionData('transfer', [
          recipients[senders.length + (k % (recipients.length - senders.length))],
          1n,
        ]),
        gasLimit: 200_000n,
      },
    ]);
  }

  const minterNonce = Number(
    await rpc<string>(url, 'eth_getTransactionCount', [minter, 'pending']),
  );
  let blocksWithLogs = 0;
  for (let start = 0; start < mintCalls.length; start += options.txsPerBlock) {
    await sendFrom(
      url,
      minter,
      mintCalls.slice(start, start + options.txsPerBlock),
      minterNonce + start,
    );
    await rpc(url, 'evm_mine');
    blocksWithLogs += 1;
  }
  const transferHashes: string[] = [];
  for (const [sender, calls] of transferCalls) {
    transferHashes.push(...(await sendFrom(url, sender, calls)));
  }
  blocksWithLogs += await mineAll(url);
  const mined = Number(await rpc<string>(url, 'eth_getTransactionCount', [minter, 'latest']));
  if (mined !== minterNonce + mintCalls.length)
    throw new Error(`${mined - minterNonce} of ${mintCalls.length} mints mined`);
  await receiptsOf(url, transferHashes, 'transfers between holders');
  const supply = BigInt(
    await rpc<string>(url, 'eth_call', [
      { to: token, data: tokenAbi.encodeFunctionData('totalSupply') },
      'latest',
    ]),
  );
  if (supply !== minted) throw new Error(`supply ${supply}, minted ${minted}: a batchMint failed`);
  return {
    token,
    recipients,
    setupMs,
    generateMs: performance.now() - logsStarted,
    firstBlock,
    lastBlock: Number(await rpc<string>(url, 'eth_blockNumber')),
    blocksWithLogs,
    totalSupply: minted,
  };
}

async function countTransfers(dataSource: DataSource, token: string): Promise<number> {
  const [row] = await dataSource.query<{ n: string }[]>(
    `SELECT count(*) AS n FROM token_transfer WHERE token = $1`,
    [token],
  );
  return Number(row.n);
}

/** The index against the chain: transfer count, balances summing to the supply, each holder's balance. */
async function verify(
  dataSource: DataSource,
  provider: JsonRpcProvider,
  generation: Generation,
  options: IndexerBenchOptions,
): Promise<string[]> {
  const problems: string[] = [];
  const { token } = generation;
  const transfers = await countTransfers(dataSource, token);
  if (transfers !== options.logs)
    problems.push(`token_transfer has ${transfers} rows for the token, expected ${options.logs}`);
  const tokenAbi = GpuFarmToken__factory.createInterface();
  const calls = [
    { to: token, data: tokenAbi.encodeFunctionData('totalSupply') },
    ...generation.recipients.map((holder) => ({
      to: token,
      data: tokenAbi.encodeFunctionData('balanceOf', [holder]),
    })),
  ].map((call) => ({ method: 'eth_call', params: [call, 'latest'] }));
  const onChain = (await rpcBatch<string>(provider, calls, 60_000)).map((answer) =>
    BigInt(rpcResult(answer, 'eth_call')),
  );
  const chainSupply = onChain[0];
  if (chainSupply !== generation.totalSupply)
    problems.push(`chain supply ${chainSupply}, minted ${generation.totalSupply}`);
  const [sums] = await dataSource.query<{ balances: string | null; supply: string | null }[]>(
    `SELECT (SELECT sum(balance) FROM token_balance WHERE token = $1) AS balances,
            (SELECT total_supply FROM indexed_contract WHERE address = $1) AS supply`,
    [token],
  );
  if (BigInt(sums.balances ?? 0) !== chainSupply)
    problems.push(`indexed balances sum to ${sums.balances}, chain totalSupply ${chainSupply}`);
  if (BigInt(sums.supply ?? 0) !== chainSupply)
    problems.push(`indexed total_supply ${sums.supply}, chain totalSupply ${chainSupply}`);
  const rows = await dataSource.query<{ holder: string; balance: string }[]>(
    `SELECT holder, balance FROM token_balance WHERE token = $1`,
    [token],
  );
  const indexed = new Map(rows.map((row) => [row.holder, BigInt(row.balance)]));
  const wrong = generation.recipients.filter(
    (holder, i) => (indexed.get(holder.toLowerCase()) ?? 0n) !== onChain[i + 1],
  ).length;
  if (wrong > 0) problems.push(`${wrong} holder balance(s) differ from the chain`);
  return problems;
}
