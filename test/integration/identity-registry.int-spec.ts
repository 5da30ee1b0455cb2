import { type Wallet, ZeroAddress, ZeroHash, id } from 'ethers';
import {
  COUNTRY,
  type ContractsFixture,
  YEAR,
  chainNow,
  createFarmToken,
  expectRevert,
  increaseTime,
  investorId,
  registerInvestor,
  revertAfterEach,
  send,
  startContractsFixture,
} from '../support/contracts-fixture';
import { eventArgs } from '../support/token-model';
import type { IdentityRegistry } from '../../libs/chain/src/generated';

describe('IdentityRegistry', () => {
  let f: ContractsFixture;
  let registry: IdentityRegistry;
  let agentRole: string;
  let a: Wallet, b: Wallet, c: Wallet, d: Wallet, outsider: Wallet;

  beforeAll(async () => {
    f = await startContractsFixture();
    registry = f.registry;
    agentRole = await registry.AGENT_ROLE();
    [a, b, c, d, outsider] = f.investors;
  });
  afterAll(async () => {
    await f?.stop();
  });
  revertAfterEach(() => f.provider);

  async function identity(wallet: string): Promise<[string, bigint, bigint]> {
    const [investor, country, expiry] = await registry.identityOf(wallet);
    return [investor, country, expiry];
  }

  describe('register, update, remove', () => {
    it('registers one wallet with its investor id, country and KYC expiry', async () => {
      const expiry = (await chainNow(f.provider)) + YEAR;
      const alice = investorId('alice');
      expect(await registry.isVerified(a.address)).toBe(false);

      const receipt = await send(registry.registerIdentity(a.address, alice, COUNTRY.DE, expiry));

      expect(eventArgs(receipt, registry, 'IdentityRegistered')).toEqual([
        [a.address, alice, BigInt(COUNTRY.DE), BigInt(expiry)],
      ]);
      expect(await identity(a.address)).toEqual([alice, BigInt(COUNTRY.DE), BigInt(expiry)]);
      expect(await registry.isVerified(a.address)).toBe(true);
      // The packed record: investor id | country << 40 | expiry.
      expect(await registry.recordOf(a.address)).toBe(
        BigInt(alice) | (BigInt(COUNTRY.DE) << 40n) | BigInt(expiry),
      );
      expect(await registry.recordsOf(a.address, b.address)).toEqual([
        await registry.recordOf(a.address),
        0n,
      ]);
    });

    it('registers a batch; several wallets of one investor share the investor id', async () => {
      const now = await chainNow(f.provider);
      const alice = investorId('alice');
      const bob = investorId('bob');
      const receipt = await send(
        registry.batchRegisterIdentity(
          [a.address, b.address, c.address],
          [alice, alice, bob],
          [COUNTRY.DE, COUNTRY.FR, COUNTRY.US],
          [now + YEAR, now + 2 * YEAR, now + 3 * YEAR],
        ),
      );

      expect(eventArgs(receipt, registry, 'IdentityRegistered')).toEqual([
        [a.address, alice, BigInt(COUNTRY.DE), BigInt(now + YEAR)],
        [b.address, alice, BigInt(COUNTRY.FR), BigInt(now + 2 * YEAR)],
        [c.address, bob, BigInt(COUNTRY.US), BigInt(now + 3 * YEAR)],
      ]);
      expect(await identity(a.address)).toEqual([alice, BigInt(COUNTRY.DE), BigInt(now + YEAR)]);
      expect(await identity(b.address)).toEqual([
        alice,
        BigInt(COUNTRY.FR),
        BigInt(now + 2 * YEAR),
      ]);
      expect(await identity(c.address)).toEqual([bob, BigInt(COUNTRY.US), BigInt(now + 3 * YEAR)]);
      for (const w of [a, b, c]) expect(await registry.isVerified(w.address)).toBe(true);
      expect(await registry.isVerified(d.address)).toBe(false);
    });

    it('updates the country and KYC expiry of one wallet and of a batch; the investor id stays', async () => {
      await registerInvestor(f, a.address, { name: 'alice' });
      await registerInvestor(f, b.address, { name: 'bob' });
      const now = await chainNow(f.provider);

      const one = await send(
        registry.batchUpdateIdentity([a.address], [COUNTRY.US], [now + 2 * YEAR]),
      );
      expect(eventArgs(one, registry, 'IdentityUpdated')).toEqual([
        [a.address, investorId('alice'), BigInt(COUNTRY.US), BigInt(now + 2 * YEAR)],
      ]);
      expect(await identity(a.address)).toEqual([
        investorId('alice'),
        BigInt(COUNTRY.US),
        BigInt(now + 2 * YEAR),
      ]);

      const batch = await send(
        registry.batchUpdateIdentity(
          [a.address, b.address],
          [COUNTRY.IS, COUNTRY.FR],
          [now + 100, now + 200],
        ),
      );
      expect(eventArgs(batch, registry, 'IdentityUpdated')).toEqual([
        [a.address, investorId('alice'), BigInt(COUNTRY.IS), BigInt(now + 100)],
        [b.address, investorId('bob'), BigInt(COUNTRY.FR), BigInt(now + 200)],
      ]);
      expect(await identity(a.address)).toEqual([
        investorId('alice'),
        BigInt(COUNTRY.IS),
        BigInt(now + 100),
      ]);
      expect(await identity(b.address)).toEqual([
        investorId('bob'),
        BigInt(COUNTRY.FR),
        BigInt(now + 200),
      ]);
    });

    it('removes one wallet and a batch: they stop being verified and can be registered again', async () => {
      for (const [w, name] of [
        [a, 'alice'],
        [b, 'alice'],
        [c, 'bob'],
      ] as const) {
        await registerInvestor(f, w.address, { name });
      }

      const one = await send(registry.batchRemoveIdentity([a.address]));
      expect(eventArgs(one, registry, 'IdentityRemoved')).toEqual([
        [a.address, investorId('alice')],
      ]);
      expect(await registry.isVerified(a.address)).toBe(false);
      expect(await identity(a.address)).toEqual([ZeroHash, 0n, 0n]);
      expect(await registry.recordOf(a.address)).toBe(0n);
      expect(await registry.isVerified(b.address)).toBe(true);

      const batch = await send(registry.batchRemoveIdentity([b.address, c.address]));
      expect(eventArgs(batch, registry, 'IdentityRemoved')).toEqual([
        [b.address, investorId('alice')],
        [c.address, investorId('bob')],
      ]);
      expect(await registry.isVerified(b.address)).toBe(false);
      expect(await registry.isVerified(c.address)).toBe(false);

      await registerInvestor(f, a.address, { name: 'carol', country: COUNTRY.FR });
      expect((await identity(a.address))[0]).toBe(investorId('carol'));
      expect(await registry.isVerified(a.address)).toBe(true);
    });

    it('is no longer verified once the KYC has expired, and again after an update', async () => {
      await registerInvestor(f, a.address, { expiresIn: 1000 });
      await registerInvestor(f, b.address, { expiresIn: 5000 });
      const token = await createFarmToken(f);
      expect(await registry.isVerified(a.address)).toBe(true);
      expect(await token.canSend(a.address)).toBe(true);

      await increaseTime(f.provider, 2000);

      expect(await registry.isVerified(a.address)).toBe(false);
      expect(await token.canSend(a.address)).toBe(false);
      expect(await token.canReceive(a.address)).toBe(false);
      expect(await registry.isVerified(b.address)).toBe(true);
      // The record stays: only the verification lapses.
      expect((await identity(a.address))[0]).toBe(investorId(a.address));

      const now = await chainNow(f.provider);
      await send(registry.batchUpdateIdentity([a.address], [COUNTRY.DE], [now + YEAR]));
      expect(await registry.isVerified(a.address)).toBe(true);
    });

    it('accepts the country bounds 1 and 999 and the largest investor id', async () => {
      const now = await chainNow(f.provider);
      const largest = '0x' + 'ff'.repeat(25) + '00'.repeat(7);
      await send(registry.registerIdentity(a.address, largest, 1, now + YEAR));
      await send(registry.registerIdentity(b.address, investorId('bob'), 999, now + YEAR));
      expect(await identity(a.address)).toEqual([largest, 1n, BigInt(now + YEAR)]);
      expect(await identity(b.address)).toEqual([investorId('bob'), 999n, BigInt(now + YEAR)]);
    });
  });

  describe('refusals', () => {
    it('refuses a wallet that is already registered, alone and inside a batch (nothing is kept)', async () => {
      await registerInvestor(f, a.address);
      const now = await chainNow(f.provider);
      await expectRevert(
        registry.registerIdentity(a.address, investorId('other'), COUNTRY.FR, now + YEAR),
        registry,
        'IdentityAlreadyRegistered',
        [a.address],
      );
      await expectRevert(
        registry.batchRegisterIdentity(
          [b.address, a.address],
          [investorId('bob'), investorId('bob')],
          [COUNTRY.FR, COUNTRY.FR],
          [now + YEAR, now + YEAR],
        ),
        registry,
        'IdentityAlreadyRegistered',
        [a.address],
      );
      // The same wallet twice in one batch.
      await expectRevert(
        registry.batchRegisterIdentity(
          [b.address, b.address],
          [investorId('bob'), investorId('bob')],
          [COUNTRY.FR, COUNTRY.FR],
          [now + YEAR, now + YEAR],
        ),
        registry,
        'IdentityAlreadyRegistered',
        [b.address],
      );
      expect(await registry.isVerified(b.address)).toBe(false);
      expect((await identity(a.address))[0]).toBe(investorId(a.address));
    });

    it('refuses to update or remove a wallet that is not registered', async () => {
      await registerInvestor(f, a.address);
      const now = await chainNow(f.provider);
      await expectRevert(
        registry.batchUpdateIdentity([b.address], [COUNTRY.DE], [now + YEAR]),
        registry,
        'IdentityNotRegistered',
        [b.address],
      );
      await expectRevert(
        registry.batchUpdateIdentity(
          [a.address, b.address],
          [COUNTRY.FR, COUNTRY.DE],
          [now + YEAR, now + YEAR],
        ),
        registry,
        'IdentityNotRegistered',
        [b.address],
      );
      await expectRevert(
        registry.batchRemoveIdentity([b.address]),
        registry,
        'IdentityNotRegistered',
        [b.address],
      );
      await expectRevert(
        registry.batchRemoveIdentity([a.address, b.address]),
        registry,
        'IdentityNotRegistered',
        [b.address],
      );
      // The same wallet removed twice in one batch.
      await expectRevert(
        registry.batchRemoveIdentity([a.address, a.address]),
        registry,
        'IdentityNotRegistered',
        [a.address],
      );
      expect(await identity(a.address)).toEqual([
        investorId(a.address),
        BigInt(COUNTRY.DE),
        expect.any(BigInt),
      ]);
      expect(await registry.isVerified(a.address)).toBe(true);
    });

    it('refuses a zero investor id and one whose low 7 bytes are not zero', async () => {
      const now = await chainNow(f.provider);
      const lowByte = investorId('alice').slice(0, -2) + '01';
      const seventhByte = investorId('alice').slice(0, 52) + '01' + '00'.repeat(6);
      const eighthByte = investorId('alice').slice(0, 50) + '01' + '00'.repeat(7);
      for (const bad of [ZeroHash, lowByte, seventhByte]) {
        await expectRevert(
          registry.registerIdentity(a.address, bad, COUNTRY.DE, now + YEAR),
          registry,
          'InvalidInvestorId',
          [bad],
        );
        await expectRevert(
          registry.batchRegisterIdentity([a.address], [bad], [COUNTRY.DE], [now + YEAR]),
          registry,
          'InvalidInvestorId',
          [bad],
        );
      }
      // The 8th byte from the end is part of the id.
      await send(registry.registerIdentity(a.address, eighthByte, COUNTRY.DE, now + YEAR));
      expect((await identity(a.address))[0]).toBe(eighthByte);
    });

    it('refuses country 0 and 1000 on register and on update', async () => {
      await registerInvestor(f, b.address);
      const now = await chainNow(f.provider);
      for (const country of [0, 1000]) {
        await expectRevert(
          registry.registerIdentity(a.address, investorId('alice'), country, now + YEAR),
          registry,
          'InvalidCountry',
          [BigInt(country)],
        );
        await expectRevert(
          registry.batchUpdateIdentity([b.address], [country], [now + YEAR]),
          registry,
          'InvalidCountry',
          [BigInt(country)],
        );
      }
      expect(await registry.isVerified(a.address)).toBe(false);
      expect((await identity(b.address))[1]).toBe(BigInt(COUNTRY.DE));
    });

    it('refuses a KYC expiry that is not in the future, on register and on update', async () => {
      await registerInvestor(f, b.address);
      const now = await chainNow(f.provider);
      for (const expiry of [now, now - 1000, 0]) {
        await expectRevert(
          registry.registerIdentity(a.address, investorId('alice'), COUNTRY.DE, expiry),
          registry,
          'KycExpiryNotInFuture',
          [BigInt(expiry)],
        );
        await expectRevert(
          registry.batchUpdateIdentity([b.address], [COUNTRY.DE], [expiry]),
          registry,
          'KycExpiryNotInFuture',
          [BigInt(expiry)],
        );
      }
      expect(await registry.isVerified(a.address)).toBe(false);
    });

    it('refuses the zero wallet', async () => {
      const now = await chainNow(f.provider);
      await expectRevert(
        registry.registerIdentity(ZeroAddress, investorId('alice'), COUNTRY.DE, now + YEAR),
        registry,
        'InvalidWallet',
        [ZeroAddress],
      );
      await expectRevert(
        registry.batchRegisterIdentity(
          [a.address, ZeroAddress],
          [investorId('alice'), investorId('alice')],
          [COUNTRY.DE, COUNTRY.DE],
          [now + YEAR, now + YEAR],
        ),
        registry,
        'InvalidWallet',
        [ZeroAddress],
      );
      expect(await registry.isVerified(a.address)).toBe(false);
    });

    it('refuses batches whose arrays differ in length', async () => {
      await registerInvestor(f, b.address);
      const now = await chainNow(f.provider);
      const id1 = investorId('alice');
      const cases: Parameters<IdentityRegistry['batchRegisterIdentity']>[] = [
        [[a.address, c.address], [id1], [COUNTRY.DE, COUNTRY.DE], [now + YEAR, now + YEAR]],
        [[a.address, c.address], [id1, id1], [COUNTRY.DE], [now + YEAR, now + YEAR]],
        [[a.address, c.address], [id1, id1], [COUNTRY.DE, COUNTRY.DE], [now + YEAR]],
        [[a.address], [id1, id1], [COUNTRY.DE, COUNTRY.DE], [now + YEAR, now + YEAR]],
      ];
      for (const args of cases) {
        await expectRevert(registry.batchRegisterIdentity(...args), registry, 'LengthMismatch', []);
      }
      await expectRevert(
        registry.batchUpdateIdentity([b.address], [COUNTRY.DE, COUNTRY.FR], [now + YEAR]),
        registry,
        'LengthMismatch',
        [],
      );
      await expectRevert(
        registry.batchUpdateIdentity([b.address], [COUNTRY.DE], [now + YEAR, now + YEAR]),
        registry,
        'LengthMismatch',
        [],
      );
      expect(await registry.isVerified(a.address)).toBe(false);
    });
  });

  describe('roles', () => {
    it('refuses every agent function to an account without the agent role', async () => {
      await registerInvestor(f, b.address);
      const now = await chainNow(f.provider);
      for (const caller of [outsider, f.admin]) {
        const asCaller = registry.connect(caller);
        const refused = [caller.address, agentRole];
        await expectRevert(
          asCaller.registerIdentity(a.address, investorId('a'), COUNTRY.DE, now + YEAR),
          registry,
          'AccessControlUnauthorizedAccount',
          refused,
        );
        await expectRevert(
          asCaller.batchRegisterIdentity(
            [a.address],
            [investorId('a')],
            [COUNTRY.DE],
            [now + YEAR],
          ),
          registry,
          'AccessControlUnauthorizedAccount',
          refused,
        );
        await expectRevert(
          asCaller.batchUpdateIdentity([b.address], [COUNTRY.FR], [now + YEAR]),
          registry,
          'AccessControlUnauthorizedAccount',
          refused,
        );
        await expectRevert(
          asCaller.batchRemoveIdentity([b.address]),
          registry,
          'AccessControlUnauthorizedAccount',
          refused,
        );
      }
      expect(await registry.isVerified(a.address)).toBe(false);
      expect(await registry.isVerified(b.address)).toBe(true);
    });

    it('lets the admin grant and revoke the agent role; only the admin may', async () => {
      const now = await chainNow(f.provider);
      await expectRevert(
        registry.connect(outsider).grantRole(agentRole, outsider.address),
        registry,
        'AccessControlUnauthorizedAccount',
        [outsider.address, ZeroHash],
      );
      // The agent holds the agent role but is not the admin.
      await expectRevert(
        registry.grantRole(agentRole, outsider.address),
        registry,
        'AccessControlUnauthorizedAccount',
        [f.agent.address, ZeroHash],
      );

      await send(registry.connect(f.admin).grantRole(agentRole, outsider.address));
      expect(await registry.hasRole(agentRole, outsider.address)).toBe(true);
      await send(
        registry
          .connect(outsider)
          .registerIdentity(a.address, investorId('alice'), COUNTRY.DE, now + YEAR),
      );
      expect(await registry.isVerified(a.address)).toBe(true);

      await send(registry.connect(f.admin).revokeRole(agentRole, outsider.address));
      expect(await registry.hasRole(agentRole, outsider.address)).toBe(false);
      await expectRevert(
        registry.connect(outsider).batchRemoveIdentity([a.address]),
        registry,
        'AccessControlUnauthorizedAccount',
        [outsider.address, agentRole],
      );
    });

    it('hands the admin role over in two steps (AccessControlDefaultAdminRules)', async () => {
      const registryAsAdmin = registry.connect(f.admin);
      expect(await registry.defaultAdmin()).toBe(f.admin.address);
      // The admin role is never granted directly.
      await expectRevert(
        registryAsAdmin.grantRole(ZeroHash, outsider.address),
        registry,
        'AccessControlEnforcedDefaultAdminRules',
        [],
      );
      await expectRevert(
        registry.connect(outsider).beginDefaultAdminTransfer(outsider.address),
        registry,
        'AccessControlUnauthorizedAccount',
        [outsider.address, ZeroHash],
      );

      await send(registryAsAdmin.beginDefaultAdminTransfer(outsider.address));
      const [pending] = await registry.pendingDefaultAdmin();
      expect(pending).toBe(outsider.address);
      // Nothing changes until the new admin accepts.
      expect(await registry.defaultAdmin()).toBe(f.admin.address);
      expect(await registry.hasRole(ZeroHash, outsider.address)).toBe(false);
      await increaseTime(f.provider, 1);
      await expectRevert(
        registry.connect(c).acceptDefaultAdminTransfer(),
        registry,
        'AccessControlInvalidDefaultAdmin',
        [c.address],
      );

      await send(registry.connect(outsider).acceptDefaultAdminTransfer());
      expect(await registry.defaultAdmin()).toBe(outsider.address);
      expect(await registry.hasRole(ZeroHash, outsider.address)).toBe(true);
      expect(await registry.hasRole(ZeroHash, f.admin.address)).toBe(false);
      await expectRevert(
        registryAsAdmin.grantRole(agentRole, c.address),
        registry,
        'AccessControlUnauthorizedAccount',
        [f.admin.address, ZeroHash],
      );
      await send(registry.connect(outsider).grantRole(agentRole, c.address));
      expect(await registry.hasRole(agentRole, c.address)).toBe(true);
    });

    it('makes the new admin wait for the configured delay', async () => {
      const g = await import('../../libs/chain/src/generated');
      const deployed = await new g.IdentityRegistry__factory(f.admin).deploy(f.admin.address, 3600);
      const receipt = await send(Promise.resolve(deployed.deploymentTransaction()!));
      const delayed = g.IdentityRegistry__factory.connect(receipt.contractAddress!, f.admin);
      expect(await delayed.defaultAdminDelay()).toBe(3600n);

      const started = await send(delayed.beginDefaultAdminTransfer(outsider.address));
      const startedAt = (await f.provider.getBlock(started.blockNumber))!.timestamp;
      const [, schedule] = await delayed.pendingDefaultAdmin();
      expect(schedule).toBe(BigInt(startedAt + 3600));
      await expectRevert(
        delayed.connect(outsider).acceptDefaultAdminTransfer(),
        delayed,
        'AccessControlEnforcedDefaultAdminDelay',
        [schedule],
      );

      // A cancelled hand-over cannot be accepted.
      await send(delayed.cancelDefaultAdminTransfer());
      await increaseTime(f.provider, 3601);
      await expectRevert(
        delayed.connect(outsider).acceptDefaultAdminTransfer(),
        delayed,
        'AccessControlInvalidDefaultAdmin',
        [outsider.address],
      );

      await send(delayed.beginDefaultAdminTransfer(outsider.address));
      await increaseTime(f.provider, 3601);
      await send(delayed.connect(outsider).acceptDefaultAdminTransfer());
      expect(await delayed.defaultAdmin()).toBe(outsider.address);
      expect(await delayed.hasRole(ZeroHash, f.admin.address)).toBe(false);
    });

    it('exposes the agent role id', async () => {
      expect(agentRole).toBe(id('AGENT_ROLE'));
      expect(await registry.hasRole(agentRole, f.agent.address)).toBe(true);
      expect(await registry.hasRole(agentRole, f.admin.address)).toBe(false);
    });
  });
});
