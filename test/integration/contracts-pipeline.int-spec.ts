import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JsonRpcProvider, Wallet, id as roleId, isError } from 'ethers';
import {
  CONTRACT_NAMES,
  type Deployment,
  MockStablecoinRefusedError,
  deployContracts,
  readDeploymentFile,
  waitForReceipt,
  writeDeploymentFile,
} from '@gpu/chain';
import { wellKnownDevPrivateKeys } from '@gpu/config';
import { buildContracts } from '../../scripts/contracts/build-contracts';
import { type AnvilInstance, startAnvil } from '../../scripts/lib/anvil';
import type { MockStablecoin } from '../../libs/chain/src/generated';

describe('contracts pipeline: build, anvil, deploy, typed bindings', () => {
  let anvil: AnvilInstance | undefined;
  let provider: JsonRpcProvider;
  let owner: Wallet;
  let investor: Wallet;
  let deployment: Deployment;
  let stablecoin: MockStablecoin;
  const [ownerKey, investorKey, agentKey] = wellKnownDevPrivateKeys();
  const agent = new Wallet(agentKey).address;
  // Loaded after the build, so that the test also passes on a clean checkout.
  const generated = () => import('../../libs/chain/src/generated');

  beforeAll(async () => {
    const build = await buildContracts();
    expect(build.contracts.map((c) => c.name)).toEqual(
      expect.arrayContaining(['GpuFarmToken', 'MockStablecoin']),
    );
    anvil = await startAnvil({ silent: true });
    deployment = await deployContracts({
      rpcUrl: anvil.rpcUrl,
      deployerPrivateKey: ownerKey,
      platformAgent: agent,
      oracleReporters: wellKnownDevPrivateKeys()
        .slice(7, 10)
        .map((key) => new Wallet(key).address),
      oracleThreshold: 2,
    });
    provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { staticNetwork: true });
    owner = new Wallet(ownerKey, provider);
    investor = new Wallet(investorKey, provider);
    const { MockStablecoin__factory } = await generated();
    stablecoin = MockStablecoin__factory.connect(deployment.contracts.Stablecoin.address, owner);
  });

  afterAll(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  it('deploys every product contract and records it', async () => {
    expect(deployment.chainId).toBe(anvil?.chainId);
    expect(deployment.deployer).toBe(owner.address);
    expect(deployment.mockStablecoin).toBe(true);
    expect(Object.keys(deployment.contracts).sort()).toEqual([...CONTRACT_NAMES].sort());
    for (const contract of Object.values(deployment.contracts)) {
      expect(await provider.getCode(contract.address)).not.toBe('0x');
      expect(contract.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    }
    expect(deployment.deployedAtBlock).toBe(deployment.contracts.Stablecoin.blockNumber);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deployment-'));
    try {
      writeDeploymentFile(path.join(dir, 'local.json'), deployment);
      expect(readDeploymentFile(path.join(dir, 'local.json'))).toEqual(deployment);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('wires the contracts together and gives the platform agent its roles', async () => {
    const g = await generated();
    const { contracts } = deployment;
    const registry = g.IdentityRegistry__factory.connect(
      contracts.IdentityRegistry.address,
      provider,
    );
    const factory = g.GpuFarmTokenFactory__factory.connect(
      contracts.GpuFarmTokenFactory.address,
      provider,
    );
    const sale = g.PrimarySale__factory.connect(contracts.PrimarySale.address, provider);
    const oracle = g.UptimeOracle__factory.connect(contracts.UptimeOracle.address, provider);
    const implementation = g.GpuFarmToken__factory.connect(
      contracts.GpuFarmToken.address,
      provider,
    );

    expect(await implementation.identityRegistry()).toBe(contracts.IdentityRegistry.address);
    expect(await factory.implementation()).toBe(contracts.GpuFarmToken.address);
    expect(await sale.stablecoin()).toBe(contracts.Stablecoin.address);
    expect(await implementation.stablecoin()).toBe(contracts.Stablecoin.address);
    expect(await registry.hasRole(roleId('AGENT_ROLE'), agent)).toBe(true);
    expect(await factory.hasRole(roleId('TOKENIZER_ROLE'), agent)).toBe(true);
    expect(await sale.hasRole(roleId('SALE_AGENT_ROLE'), agent)).toBe(true);
    expect(await oracle.hasRole(roleId('ORACLE_ADMIN_ROLE'), agent)).toBe(true);
    expect(await registry.hasRole(roleId('AGENT_ROLE'), investor.address)).toBe(false);
    expect(await oracle.hasRole(roleId('ORACLE_ADMIN_ROLE'), owner.address)).toBe(false);
    expect(await oracle.reporterCount()).toBe(3n);
    expect(await oracle.threshold()).toBe(2n);
    expect(await registry.defaultAdmin()).toBe(owner.address);
  });

  it('exposes the mock stablecoin through its typed binding; only the owner mints', async () => {
    expect(await stablecoin.decimals()).toBe(6n);
    await waitForReceipt(provider, (await stablecoin.mint(investor.address, 1_000_000n)).hash);
    expect(await stablecoin.balanceOf(investor.address)).toBe(1_000_000n);

    const error = await stablecoin
      .connect(investor)
      .mint(investor.address, 1n)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isError(error, 'CALL_EXCEPTION')).toBe(true);
    const data = isError(error, 'CALL_EXCEPTION') ? error.data : null;
    expect(stablecoin.interface.parseError(data ?? '0x')?.name).toBe('OwnableUnauthorizedAccount');
  });

  describe('on a chain that is not local', () => {
    let remote: AnvilInstance | undefined;

    beforeAll(async () => {
      remote = await startAnvil({ silent: true, chainId: 8453 });
    });

    afterAll(async () => {
      await remote?.stop();
    });

    it('refuses to deploy the mock stablecoin', async () => {
      await expect(
        deployContracts({ rpcUrl: remote!.rpcUrl, deployerPrivateKey: ownerKey }),
      ).rejects.toBeInstanceOf(MockStablecoinRefusedError);
    });

    it('adopts an existing stablecoin instead', async () => {
      const existing = '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913';
      const remoteDeployment = await deployContracts({
        rpcUrl: remote!.rpcUrl,
        deployerPrivateKey: ownerKey,
        stablecoinAddress: existing,
      });
      expect(remoteDeployment.chainId).toBe(8453);
      expect(remoteDeployment.mockStablecoin).toBe(false);
      expect(remoteDeployment.contracts.Stablecoin).toMatchObject({
        address: existing,
        txHash: null,
      });
      expect(remoteDeployment.deployedAtBlock).toBe(
        remoteDeployment.contracts.IdentityRegistry.blockNumber,
      );
    });
  });
});
