import {
  type BaseContract,
  type ContractTransactionResponse,
  JsonRpcProvider,
  type TransactionReceipt,
  Wallet,
  id,
  isError,
} from 'ethers';
import { type Deployment, deployContracts, registryInvestorId, waitForReceipt } from '@gpu/chain';
import { wellKnownDevPrivateKeys } from '@gpu/config';
import { type AnvilInstance, startAnvil } from '../../scripts/lib/anvil';
import type {
  AuditAnchor,
  GpuFarmToken,
  GpuFarmTokenFactory,
  IdentityRegistry,
  MockStablecoin,
  PrimarySale,
  UptimeOracle,
} from '../../libs/chain/src/generated';

/** ISO 3166-1 numeric codes used by the contract tests. */
export const COUNTRY = { DE: 276, FR: 250, US: 840, IS: 352 } as const;
export const YEAR = 365 * 24 * 3600;

/** An investor id as the registry wants it: a hash with its low 7 bytes zero. */
export function investorId(name: string): string {
  return registryInvestorId(name);
}

export interface ContractsFixture {
  anvil: AnvilInstance;
  provider: JsonRpcProvider;
  deployment: Deployment;
  /** Deployer and admin of every contract. */
  admin: Wallet;
  /** The platform agent: registry agent, tokenizer, sale agent, oracle admin, audit anchorer; every agent role (publisher included) on farm tokens. */
  agent: Wallet;
  /** Funded wallets with no role (anvil accounts 2 to 6). */
  investors: Wallet[];
  /** The registered uptime reporters (anvil accounts 7 to 9), 2 of 3 must sign. */
  reporters: Wallet[];
  registry: IdentityRegistry;
  factory: GpuFarmTokenFactory;
  sale: PrimarySale;
  oracle: UptimeOracle;
  auditAnchor: AuditAnchor;
  stablecoin: MockStablecoin;
  stop(): Promise<void>;
}

/** A fresh anvil with the whole product deployed, private to the calling test file. */
export async function startContractsFixture(): Promise<ContractsFixture> {
  const g = await import('../../libs/chain/src/generated');
  const anvil = await startAnvil({ silent: true });
  const keys = wellKnownDevPrivateKeys();
  const provider = new JsonRpcProvider(anvil.rpcUrl, undefined, {
    staticNetwork: true,
    cacheTimeout: -1,
  });
  const [admin, agent, ...rest] = keys.map((key) => new Wallet(key, provider));
  const reporters = rest.slice(5, 8);
  try {
    const deployment = await deployContracts({
      rpcUrl: anvil.rpcUrl,
      deployerPrivateKey: admin.privateKey,
      platformAgent: agent.address,
      oracleReporters: reporters.map((r) => r.address),
      oracleThreshold: 2,
    });
    const at = deployment.contracts;
    return {
      anvil,
      provider,
      deployment,
      admin,
      agent,
      investors: rest.slice(0, 5),
      reporters,
      registry: g.IdentityRegistry__factory.connect(at.IdentityRegistry.address, agent),
      factory: g.GpuFarmTokenFactory__factory.connect(at.GpuFarmTokenFactory.address, agent),
      sale: g.PrimarySale__factory.connect(at.PrimarySale.address, agent),
      oracle: g.UptimeOracle__factory.connect(at.UptimeOracle.address, agent),
      auditAnchor: g.AuditAnchor__factory.connect(at.AuditAnchor.address, agent),
      stablecoin: g.MockStablecoin__factory.connect(at.Stablecoin.address, admin),
      stop: async () => {
        provider.destroy();
        await anvil.stop();
      },
    };
  } catch (error) {
    provider.destroy();
    await anvil.stop();
    throw error;
  }
}

/** Sends and waits for the receipt (never tx.wait()); throws if the transaction reverted. */
export async function send(tx: Promise<ContractTransactionResponse>): Promise<TransactionReceipt> {
  const response = await tx;
  return waitForReceipt(response.provider, response.hash);
}

/**
 * Asserts that `tx` reverts with the custom error `errorName` of `contract` (and, if given,
 * these arguments). Returns the decoded arguments.
 */
export async function expectRevert(
  tx: Promise<unknown>,
  contract: BaseContract,
  errorName: string,
  args?: unknown[],
): Promise<unknown[]> {
  const error = await tx.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) throw new Error(`expected a revert with ${errorName}, but it succeeded`);
  if (!isError(error, 'CALL_EXCEPTION') || !error.data) throw error;
  const decoded = contract.interface.parseError(error.data);
  if (!decoded) throw new Error(`expected ${errorName}, got undecodable revert data ${error.data}`);
  expect(decoded.name).toBe(errorName);
  if (args) expect([...decoded.args]).toEqual(args);
  return [...decoded.args];
}

/** The latest block's timestamp. */
export async function chainNow(provider: JsonRpcProvider): Promise<number> {
  const block = await provider.send('eth_getBlockByNumber', ['latest', false]);
  return Number(block.timestamp);
}

/** Moves the chain's clock forward and mines a block. */
export async function increaseTime(provider: JsonRpcProvider, seconds: number): Promise<void> {
  await provider.send('evm_increaseTime', [seconds]);
  await provider.send('evm_mine', []);
}

export async function snapshot(provider: JsonRpcProvider): Promise<string> {
  return provider.send('evm_snapshot', []);
}

export async function revertTo(provider: JsonRpcProvider, snapshotId: string): Promise<void> {
  await provider.send('evm_revert', [snapshotId]);
}

/** Registers wallets in the identity registry (as the agent), one year of KYC by default. */
export async function registerInvestor(
  f: ContractsFixture,
  wallet: string,
  options: { name?: string; country?: number; expiresIn?: number } = {},
): Promise<void> {
  const now = await chainNow(f.provider);
  await send(
    f.registry.registerIdentity(
      wallet,
      investorId(options.name ?? wallet),
      options.country ?? COUNTRY.DE,
      now + (options.expiresIn ?? YEAR),
    ),
  );
}

export interface FarmTokenOptions {
  farm?: string;
  maxBalance?: bigint;
  maxHolders?: number;
  lockupEnd?: number;
  countries?: number[];
  treasury?: string;
}

/** Tokenizes a farm through the factory (as the agent): the agent holds every agent role, the admin the admin role, the sale contract the issuer role. */
export async function createFarmToken(
  f: ContractsFixture,
  options: FarmTokenOptions = {},
): Promise<GpuFarmToken> {
  const g = await import('../../libs/chain/src/generated');
  const farmId = id(`farm:${options.farm ?? 'default'}`);
  await send(
    f.factory.createFarmToken(farmId, {
      name: `GPU Farm ${options.farm ?? 'default'}`,
      symbol: 'GPUF',
      admin: f.admin.address,
      agent: f.agent.address,
      minter: await f.sale.getAddress(),
      treasury: options.treasury ?? f.admin.address,
      maxBalance: options.maxBalance ?? 0n,
      maxHolders: options.maxHolders ?? 0,
      lockupEnd: options.lockupEnd ?? 0,
      allowedCountries: options.countries ?? [COUNTRY.DE, COUNTRY.FR, COUNTRY.IS],
    }),
  );
  return g.GpuFarmToken__factory.connect(await f.factory.tokenOf(farmId), f.agent);
}

/** Gives every test of the calling file the chain as it was before the test (evm_snapshot/evm_revert). */
export function revertAfterEach(provider: () => JsonRpcProvider): void {
  let snapshotId: string;
  beforeEach(async () => {
    snapshotId = await snapshot(provider());
  });
  afterEach(async () => {
    await revertTo(provider(), snapshotId);
  });
}

/** A funded wallet with no role and no identity, the same for the same label. */
export async function fundedWallet(provider: JsonRpcProvider, label: string): Promise<Wallet> {
  const wallet = new Wallet(id(`token-tests:${label}`), provider);
  await provider.send('anvil_setBalance', [wallet.address, '0x56bc75e2d63100000']);
  return wallet;
}

export interface Cast {
  /** Germany (allowed). */
  alice: Wallet;
  /** alice's second wallet: same investor id, holds nothing. */
  alice2: Wallet;
  /** France (allowed). */
  bob: Wallet;
  /** Iceland (allowed). */
  carol: Wallet;
  /** United States (not allowed by the default farm token). */
  dave: Wallet;
  /** Funded, never registered. */
  stranger: Wallet;
}

/** The investors most token tests work with, registered in the identity registry. */
export async function registerCast(f: ContractsFixture, label: string): Promise<Cast> {
  const [alice, bob, carol, dave, stranger] = f.investors;
  const alice2 = await fundedWallet(f.provider, `${label}:alice2`);
  await registerInvestor(f, alice.address, { name: 'alice', country: COUNTRY.DE });
  await registerInvestor(f, alice2.address, { name: 'alice', country: COUNTRY.DE });
  await registerInvestor(f, bob.address, { name: 'bob', country: COUNTRY.FR });
  await registerInvestor(f, carol.address, { name: 'carol', country: COUNTRY.IS });
  await registerInvestor(f, dave.address, { name: 'dave', country: COUNTRY.US });
  return { alice, alice2, bob, carol, dave, stranger };
}
