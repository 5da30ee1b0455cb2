import { MaxUint256, ZeroHash, id } from 'ethers';
import { signUptimeReport, uptimeOracleDomain } from '@gpu/chain';
import {
  COUNTRY,
  type ContractsFixture,
  chainNow,
  createFarmToken,
  expectRevert,
  registerInvestor,
  revertAfterEach,
  send,
  startContractsFixture,
  fundedWallet,
} from '../support/contracts-fixture';
import type { GpuFarmToken } from '../../libs/chain/src/generated';

/** Edge cases found in review: each one could once revert wrongly, pass wrongly or be abused. */
describe('contract edge cases', () => {
  let f: ContractsFixture;
  let token: GpuFarmToken;

  beforeAll(async () => {
    f = await startContractsFixture();
    token = await createFarmToken(f, { farm: 'edges', maxBalance: 100n });
    const [alice, bob] = f.investors;
    await registerInvestor(f, alice.address, { name: 'alice' });
    await registerInvestor(f, bob.address, { name: 'bob' });
    await send(token.mint(alice.address, 50n));
  });
  afterAll(async () => {
    await f?.stop();
  });
  revertAfterEach(() => f.provider);

  it('canTransfer never reverts, even for an amount that would overflow the max-balance sum', async () => {
    const [alice, bob] = f.investors;
    expect(await token.canTransfer(alice.address, bob.address, MaxUint256)).toBe(false);
    expect(await token.transferRefusal(alice.address, bob.address, MaxUint256)).toBe(9n);
    await expectRevert(token.mint(bob.address, MaxUint256), token, 'MaxBalanceExceeded', [
      bob.address,
      MaxUint256,
      100n,
    ]);
  });

  it('refuses a recovery of a wallet onto itself', async () => {
    const [alice] = f.investors;
    await expectRevert(
      token.recoverWallet(alice.address, alice.address),
      token,
      'NotSameInvestor',
      [alice.address, alice.address],
    );
  });

  it("checks the new wallet's country on recovery", async () => {
    const [alice] = f.investors;
    const aliceInUs = await fundedWallet(f.provider, 'edges:alice-us');
    await registerInvestor(f, aliceInUs.address, { name: 'alice', country: COUNTRY.US });
    await expectRevert(
      token.recoverWallet(alice.address, aliceInUs.address),
      token,
      'CountryNotAllowed',
      [aliceInUs.address, BigInt(COUNTRY.US)],
    );
    expect(await token.balanceOf(alice.address)).toBe(50n);
  });

  it('refuses a claim above the largest fundable cumulative amount', async () => {
    const [alice] = f.investors;
    const huge = 2n ** 112n;
    await expectRevert(token.connect(alice).claimRevenue(huge, []), token, 'CumulativeTooLarge', [
      huge,
    ]);
  });

  it('refuses an offering whose settlement window could lock payments for longer than 30 days', async () => {
    const now = await chainNow(f.provider);
    const address = await token.getAddress();
    await expectRevert(
      f.sale.setOffering(address, 1_000n, now, now + 1000, 30 * 24 * 3600 + 1),
      f.sale,
      'InvalidOffering',
    );
    await send(f.sale.setOffering(address, 1_000n, now, now + 1000, 30 * 24 * 3600));
  });

  it('accepts uptime epochs only in sequence after the first, so none can be skipped by a racing report', async () => {
    const farmId = id('farm:edges');
    const domain = uptimeOracleDomain(f.anvil.chainId, await f.oracle.getAddress());
    const report = (epoch: bigint) => ({
      farmId,
      epoch,
      uptimeBps: 10_000,
      gpuHoursAvailable: 100n,
      gpuHoursUsed: 50n,
      revenue: 1n,
      samplesHash: ZeroHash,
    });
    const submit = async (epoch: bigint) =>
      f.oracle.submitReport(
        report(epoch),
        await signUptimeReport(report(epoch), f.reporters.slice(0, 2), domain),
      );
    await send(submit(7n));
    await expectRevert(submit(9n), f.oracle, 'EpochNotNext', [farmId, 9n, 8n]);
    await send(submit(8n));
    expect(await f.oracle.lastEpoch(farmId)).toBe(8n);
  });
});
