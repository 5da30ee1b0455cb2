import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isError, JsonRpcProvider, Wallet } from 'ethers';
import { buildContracts, ARTIFACTS_DIR } from '../../scripts/contracts/build-contracts';
import { type AnvilInstance, startAnvil } from '../../scripts/lib/anvil';
import { deployContracts } from '../../libs/chain/src/deployment/deploy-contracts';
import {
  type Deployment,
  readDeploymentFile,
  writeDeploymentFile,
} from '../../libs/chain/src/deployment/deployment';
import { wellKnownDevPrivateKeys } from '@gpu/config';
import { waitForReceipt } from '../../libs/chain/src/tx/wait-for-receipt';
import type { MockStablecoin } from '../../libs/chain/src/generated';

jest.setTimeout(60_000);

describe('contracts pipeline: build, anvil, deploy, typed binding', () => {
  let anvil: AnvilInstance | undefined;
  let provider: JsonRpcProvider;
  let owner: Wallet;
  let investor: Wallet;
  let deployment: Deployment;
  let token: MockStablecoin;

  beforeAll(async () => {
    const build = await buildContracts();
    expect(build.contracts.map((c) => c.name)).toContain('MockStablecoin');

    anvil = await startAnvil({ silent: true });
    const [ownerKey, investorKey] = wellKnownDevPrivateKeys();
    deployment = await deployContracts({
      rpcUrl: anvil.rpcUrl,
      deployerPrivateKey: ownerKey,
      artifactsDir: ARTIFACTS_DIR,
    });

    provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { staticNetwork: true });
    owner = new Wallet(ownerKey, provider);
    investor = new Wallet(investorKey, provider);
    // Loaded after the build, so that the test also passes on a clean checkout.
    const { MockStablecoin__factory } = await import('../../libs/chain/src/generated');
    token = MockStablecoin__factory.connect(deployment.contracts.MockStablecoin.address, owner);
  });

  afterAll(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  it('records where and by whom the contracts were deployed', async () => {
    const { address, blockNumber } = deployment.contracts.MockStablecoin;

    expect(deployment.chainId).toBe(anvil?.chainId);
    expect(deployment.deployer).toBe(owner.address);
    expect(deployment.deployedAtBlock).toBe(blockNumber);
    expect(await provider.getCode(address)).not.toBe('0x');

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deployment-'));
    try {
      writeDeploymentFile(path.join(dir, 'local.json'), deployment);
      expect(readDeploymentFile(path.join(dir, 'local.json'))).toEqual(deployment);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exposes the mock stablecoin through the generated typed binding', async () => {
    expect(await token.decimals()).toBe(6n);
    expect(await token.name()).toBe('Mock USD Coin');
    expect(await token.symbol()).toBe('mUSDC');
    expect(await token.owner()).toBe(owner.address);
  });

  it('lets the owner mint to another account', async () => {
    const tx = await token.mint(investor.address, 1_000_000n);
    await waitForReceipt(provider, tx.hash);

    expect(await token.balanceOf(investor.address)).toBe(1_000_000n);
    expect(await token.totalSupply()).toBe(1_000_000n);
  });

  it('refuses a mint from a non-owner with OwnableUnauthorizedAccount', async () => {
    const error = await token
      .connect(investor)
      .mint(investor.address, 1n)
      .then(
        () => undefined,
        (e: unknown) => e,
      );

    expect(isError(error, 'CALL_EXCEPTION')).toBe(true);
    const data = isError(error, 'CALL_EXCEPTION') ? error.data : null;
    const decoded = token.interface.parseError(data ?? '0x');
    expect(decoded?.name).toBe('OwnableUnauthorizedAccount');
    expect(decoded?.args[0]).toBe(investor.address);
    expect(await token.balanceOf(investor.address)).toBe(1_000_000n);
  });
});
