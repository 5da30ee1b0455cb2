import { type ContractTransactionResponse, type Wallet, ZeroAddress, ZeroHash, id } from 'ethers';
import {
  COUNTRY,
  type ContractsFixture,
  chainNow,
  createFarmToken,
  expectRevert,
  increaseTime,
  investorId,
  registerCast,
  registerInvestor,
  revertAfterEach,
  send,
  startContractsFixture,
  fundedWallet,
} from '../support/contracts-fixture';
import { ALL_CLAIMED, eventArgs, eventNames } from '../support/token-model';
import type { GpuFarmToken } from '../../libs/chain/src/generated';

const ROLE = {
  DEFAULT_ADMIN_ROLE: ZeroHash,
  ISSUER_ROLE: id('ISSUER_ROLE'),
  FREEZER_ROLE: id('FREEZER_ROLE'),
  TRANSFER_AGENT_ROLE: id('TRANSFER_AGENT_ROLE'),
  RECOVERY_AGENT_ROLE: id('RECOVERY_AGENT_ROLE'),
  PAUSER_ROLE: id('PAUSER_ROLE'),
  RULES_ADMIN_ROLE: id('RULES_ADMIN_ROLE'),
  PUBLISHER_ROLE: id('PUBLISHER_ROLE'),
} as const;
type RoleName = keyof typeof ROLE;
const AGENT_ROLES = Object.keys(ROLE).filter((r) => r !== 'DEFAULT_ADMIN_ROLE') as RoleName[];

describe('GpuFarmToken roles, enforcement powers and factory', () => {
  let f: ContractsFixture;
  let token: GpuFarmToken;
  /** alice (DE) with a second, empty wallet; bob (FR); dave (US, not allowed); an unregistered wallet. */
  let alice: Wallet, alice2: Wallet, bob: Wallet, dave: Wallet, stranger: Wallet, nobody: Wallet;

  beforeAll(async () => {
    f = await startContractsFixture();
    ({ alice, alice2, bob, dave, stranger } = await registerCast(f, 'roles'));
    nobody = await fundedWallet(f.provider, 'roles:nobody');
    token = await createFarmToken(f, { farm: 'roles' });
    await send(token.mint(alice.address, 100n));
  });
  afterAll(async () => {
    await f?.stop();
  });
  revertAfterEach(() => f.provider);

  interface Power {
    name: string;
    role: RoleName;
    call(t: GpuFarmToken): Promise<ContractTransactionResponse>;
    /** Asserts the power's effect after a successful call. */
    verify(): Promise<void>;
  }

  /** Every power of the token, the role it needs, and what it changes. */
  function powers(): Power[] {
    const treasury = nobody.address;
    return [
      {
        name: 'mint',
        role: 'ISSUER_ROLE',
        call: (t) => t.mint(bob.address, 1n),
        verify: async () => expect(await token.balanceOf(bob.address)).toBe(1n),
      },
      {
        name: 'batchMint',
        role: 'ISSUER_ROLE',
        call: (t) => t.batchMint([bob.address, alice.address], [2n, 3n]),
        verify: async () => expect(await token.balanceOf(bob.address)).toBe(3n),
      },
      {
        name: 'burn',
        role: 'ISSUER_ROLE',
        call: (t) => t.burn(alice.address, 1n),
        verify: async () => expect(await token.balanceOf(alice.address)).toBe(102n),
      },
      {
        name: 'setFrozenTokens',
        role: 'FREEZER_ROLE',
        call: (t) => t.setFrozenTokens(alice.address, 5n),
        verify: async () => expect(await token.getFrozenTokens(alice.address)).toBe(5n),
      },
      {
        name: 'setWalletFrozen',
        role: 'FREEZER_ROLE',
        call: (t) => t.setWalletFrozen(bob.address, true),
        verify: async () => expect(await token.isWalletFrozen(bob.address)).toBe(true),
      },
      {
        name: 'forcedTransfer',
        role: 'TRANSFER_AGENT_ROLE',
        call: (t) => t.forcedTransfer(alice.address, bob.address, 3n),
        verify: async () => expect(await token.balanceOf(bob.address)).toBe(3n),
      },
      {
        name: 'recoverWallet',
        role: 'RECOVERY_AGENT_ROLE',
        call: (t) => t.recoverWallet(alice.address, alice2.address),
        verify: async () => expect(await token.balanceOf(alice2.address)).toBe(100n),
      },
      {
        name: 'pause',
        role: 'PAUSER_ROLE',
        call: (t) => t.pause(),
        verify: async () => expect((await token.rules())[4]).toBe(true),
      },
      {
        name: 'unpause',
        role: 'PAUSER_ROLE',
        call: (t) => t.unpause(),
        verify: async () => expect((await token.rules())[4]).toBe(false),
      },
      {
        name: 'setCountriesAllowed',
        role: 'RULES_ADMIN_ROLE',
        call: (t) => t.setCountriesAllowed([COUNTRY.US], true),
        verify: async () => expect(await token.isCountryAllowed(COUNTRY.US)).toBe(true),
      },
      {
        name: 'setMaxBalance',
        role: 'RULES_ADMIN_ROLE',
        call: (t) => t.setMaxBalance(1000n),
        verify: async () => expect((await token.rules())[0]).toBe(1000n),
      },
      {
        name: 'setMaxHolders',
        role: 'RULES_ADMIN_ROLE',
        call: (t) => t.setMaxHolders(10),
        verify: async () => expect((await token.rules())[1]).toBe(10n),
      },
      {
        name: 'setLockupEnd',
        role: 'RULES_ADMIN_ROLE',
        call: (t) => t.setLockupEnd(12345),
        verify: async () => expect((await token.rules())[3]).toBe(12345n),
      },
      {
        // Nothing to fund for a zero total.
        name: 'publishRevenueRoot',
        role: 'PUBLISHER_ROLE',
        call: (t) => t.publishRevenueRoot(1, id('root'), 0n),
        verify: async () => expect((await token.revenue())[1]).toBe(1n),
      },
      {
        name: 'setTreasury',
        role: 'DEFAULT_ADMIN_ROLE',
        call: (t) => t.setTreasury(treasury),
        verify: async () => expect(await token.treasury()).toBe(treasury),
      },
      {
        name: 'grantRole',
        role: 'DEFAULT_ADMIN_ROLE',
        call: (t) => t.grantRole(ROLE.PAUSER_ROLE, nobody.address),
        verify: async () =>
          expect(await token.hasRole(ROLE.PAUSER_ROLE, nobody.address)).toBe(true),
      },
      {
        name: 'revokeRole',
        role: 'DEFAULT_ADMIN_ROLE',
        call: (t) => t.revokeRole(ROLE.FREEZER_ROLE, f.agent.address),
        verify: async () =>
          expect(await token.hasRole(ROLE.FREEZER_ROLE, f.agent.address)).toBe(false),
      },
      {
        name: 'beginAdminTransfer',
        role: 'DEFAULT_ADMIN_ROLE',
        call: (t) => t.beginAdminTransfer(nobody.address),
        verify: async () => expect(await token.pendingAdmin()).toBe(nobody.address),
      },
      {
        name: 'cancelAdminTransfer',
        role: 'DEFAULT_ADMIN_ROLE',
        call: (t) => t.cancelAdminTransfer(),
        verify: async () => expect(await token.pendingAdmin()).toBe(ZeroAddress),
      },
    ];
  }

  async function grant(role: RoleName, account: string): Promise<void> {
    const receipt = await send(token.connect(f.admin).grantRole(ROLE[role], account));
    expect(eventArgs(receipt, token, 'RoleGranted')).toEqual([
      [ROLE[role], account, f.admin.address],
    ]);
  }

  describe('access control', () => {
    it('uses the documented role ids', async () => {
      for (const role of Object.keys(ROLE) as RoleName[]) {
        expect(await token[role]()).toBe(ROLE[role]);
        expect(await token.getRoleAdmin(ROLE[role])).toBe(ZeroHash);
      }
    });

    it('gives the admin, the agent and the sale contract their roles at initialization', async () => {
      const sale = await f.sale.getAddress();
      for (const role of Object.keys(ROLE) as RoleName[]) {
        expect(await token.hasRole(ROLE[role], f.admin.address)).toBe(
          role === 'DEFAULT_ADMIN_ROLE',
        );
        expect(await token.hasRole(ROLE[role], f.agent.address)).toBe(
          role !== 'DEFAULT_ADMIN_ROLE',
        );
        expect(await token.hasRole(ROLE[role], sale)).toBe(role === 'ISSUER_ROLE');
        expect(await token.hasRole(ROLE[role], nobody.address)).toBe(false);
      }
      expect(await token.admin()).toBe(f.admin.address);
      expect(await token.pendingAdmin()).toBe(ZeroAddress);
    });

    it('refuses every power to each account without its role (AccessControlUnauthorizedAccount)', async () => {
      const holders: [Wallet, RoleName[]][] = [
        [nobody, []],
        [f.admin, ['DEFAULT_ADMIN_ROLE']],
        [f.agent, AGENT_ROLES],
      ];
      for (const [i, role] of AGENT_ROLES.entries()) {
        const wallet = await fundedWallet(f.provider, `roles:single:${i}`);
        await grant(role, wallet.address);
        holders.push([wallet, [role]]);
      }
      let refusals = 0;
      for (const [wallet, roles] of holders) {
        for (const power of powers()) {
          if (roles.includes(power.role)) continue;
          await expectRevert(
            power.call(token.connect(wallet)),
            token,
            'AccessControlUnauthorizedAccount',
            [wallet.address, ROLE[power.role]],
          );
          refusals++;
        }
      }
      // 19 powers: nobody 19, admin 14, agent 5, single-role wallets 16 + 17 + 18 + 18 + 17 + 15 + 18.
      expect(refusals).toBe(157);
      // Nothing changed.
      expect(await token.balanceOf(alice.address)).toBe(100n);
      expect(await token.totalSupply()).toBe(100n);
      expect(await token.treasury()).toBe(f.admin.address);
      expect(await token.pendingAdmin()).toBe(ZeroAddress);
    });

    for (const role of AGENT_ROLES) {
      it(`${role} alone is enough for its powers, and revokeRole takes them away`, async () => {
        const wallet = await fundedWallet(f.provider, `roles:alone:${role}`);
        const mine = powers().filter((p) => p.role === role);
        expect(mine.length).toBeGreaterThan(0);
        await grant(role, wallet.address);
        expect(await token.hasRole(ROLE[role], wallet.address)).toBe(true);
        for (const power of mine) {
          await send(power.call(token.connect(wallet)));
          await power.verify();
        }

        const revoked = await send(token.connect(f.admin).revokeRole(ROLE[role], wallet.address));
        expect(eventArgs(revoked, token, 'RoleRevoked')).toEqual([
          [ROLE[role], wallet.address, f.admin.address],
        ]);
        expect(await token.hasRole(ROLE[role], wallet.address)).toBe(false);
        for (const power of mine) {
          await expectRevert(
            power.call(token.connect(wallet)),
            token,
            'AccessControlUnauthorizedAccount',
            [wallet.address, ROLE[role]],
          );
        }
      });
    }

    it('lets the admin, holding no agent role, use every admin power', async () => {
      const asAdmin = token.connect(f.admin);
      for (const power of powers().filter((p) => p.role === 'DEFAULT_ADMIN_ROLE')) {
        await send(power.call(asAdmin));
        await power.verify();
      }
    });

    it('emits TreasuryChanged and refuses the zero treasury', async () => {
      const asAdmin = token.connect(f.admin);
      const receipt = await send(asAdmin.setTreasury(bob.address));
      expect(eventArgs(receipt, token, 'TreasuryChanged')).toEqual([[bob.address]]);
      await expectRevert(asAdmin.setTreasury(ZeroAddress), token, 'InvalidAddress', [ZeroAddress]);
      expect(await token.treasury()).toBe(bob.address);
    });

    it('grants and revokes only when it changes something, one event per role', async () => {
      const asAdmin = token.connect(f.admin);
      await grant('PAUSER_ROLE', nobody.address);
      const again = await send(asAdmin.grantRole(ROLE.PAUSER_ROLE, nobody.address));
      expect(eventNames(again, token)).toEqual([]);
      const revoked = await send(asAdmin.revokeRole(ROLE.PAUSER_ROLE, nobody.address));
      expect(eventNames(revoked, token)).toEqual(['RoleRevoked']);
      const revokedAgain = await send(asAdmin.revokeRole(ROLE.PAUSER_ROLE, nobody.address));
      expect(eventNames(revokedAgain, token)).toEqual([]);
      // Other roles of the agent are untouched by revoking one.
      await send(asAdmin.revokeRole(ROLE.PAUSER_ROLE, f.agent.address));
      expect(await token.hasRole(ROLE.PAUSER_ROLE, f.agent.address)).toBe(false);
      expect(await token.hasRole(ROLE.FREEZER_ROLE, f.agent.address)).toBe(true);
    });

    it('lets an agent renounce its own role, never the admin role, and only for itself', async () => {
      const renounced = await send(token.renounceRole(ROLE.PAUSER_ROLE, f.agent.address));
      expect(eventArgs(renounced, token, 'RoleRevoked')).toEqual([
        [ROLE.PAUSER_ROLE, f.agent.address, f.agent.address],
      ]);
      await expectRevert(token.pause(), token, 'AccessControlUnauthorizedAccount', [
        f.agent.address,
        ROLE.PAUSER_ROLE,
      ]);
      await expectRevert(
        token.renounceRole(ROLE.FREEZER_ROLE, bob.address),
        token,
        'AccessControlBadConfirmation',
        [],
      );
      await expectRevert(
        token.connect(f.admin).renounceRole(ZeroHash, f.admin.address),
        token,
        'AdminRoleNotGrantable',
        [],
      );
      expect(await token.hasRole(ZeroHash, f.admin.address)).toBe(true);
    });

    it('never grants or revokes the admin role directly (AdminRoleNotGrantable)', async () => {
      const asAdmin = token.connect(f.admin);
      await expectRevert(
        asAdmin.grantRole(ZeroHash, nobody.address),
        token,
        'AdminRoleNotGrantable',
        [],
      );
      await expectRevert(
        asAdmin.revokeRole(ZeroHash, f.admin.address),
        token,
        'AdminRoleNotGrantable',
        [],
      );
      // Refused to a non-admin first for lack of the role.
      await expectRevert(
        token.grantRole(ZeroHash, f.agent.address),
        token,
        'AccessControlUnauthorizedAccount',
        [f.agent.address, ZeroHash],
      );
      expect(await token.hasRole(ZeroHash, nobody.address)).toBe(false);
      expect(await token.hasRole(ZeroHash, f.admin.address)).toBe(true);
    });

    it('refuses to grant, revoke or renounce an unknown role id (UnknownRole); views answer false', async () => {
      const unknown = id('MINTER_ROLE');
      const asAdmin = token.connect(f.admin);
      await expectRevert(asAdmin.grantRole(unknown, nobody.address), token, 'UnknownRole', [
        unknown,
      ]);
      await expectRevert(asAdmin.revokeRole(unknown, nobody.address), token, 'UnknownRole', [
        unknown,
      ]);
      await expectRevert(token.renounceRole(unknown, f.agent.address), token, 'UnknownRole', [
        unknown,
      ]);
      expect(await token.hasRole(unknown, f.agent.address)).toBe(false);
      expect(await token.getRoleAdmin(unknown)).toBe(ROLE.DEFAULT_ADMIN_ROLE);
    });
  });

  describe('admin hand-over', () => {
    it('is two-step: begin by the admin, accept by the new admin only; the old admin loses the role', async () => {
      const asAdmin = token.connect(f.admin);
      const started = await send(asAdmin.beginAdminTransfer(nobody.address));
      expect(eventArgs(started, token, 'AdminTransferStarted')).toEqual([
        [f.admin.address, nobody.address],
      ]);
      expect(await token.pendingAdmin()).toBe(nobody.address);
      expect(await token.admin()).toBe(f.admin.address);
      expect(await token.hasRole(ZeroHash, nobody.address)).toBe(false);

      for (const caller of [bob, f.admin, f.agent]) {
        await expectRevert(token.connect(caller).acceptAdminTransfer(), token, 'NotPendingAdmin', [
          caller.address,
        ]);
      }

      const accepted = await send(token.connect(nobody).acceptAdminTransfer());
      expect(eventArgs(accepted, token, 'RoleRevoked')).toEqual([
        [ZeroHash, f.admin.address, nobody.address],
      ]);
      expect(eventArgs(accepted, token, 'RoleGranted')).toEqual([
        [ZeroHash, nobody.address, nobody.address],
      ]);
      expect(await token.admin()).toBe(nobody.address);
      expect(await token.pendingAdmin()).toBe(ZeroAddress);
      expect(await token.hasRole(ZeroHash, nobody.address)).toBe(true);
      expect(await token.hasRole(ZeroHash, f.admin.address)).toBe(false);

      await expectRevert(
        asAdmin.setTreasury(bob.address),
        token,
        'AccessControlUnauthorizedAccount',
        [f.admin.address, ZeroHash],
      );
      await expectRevert(
        asAdmin.beginAdminTransfer(f.admin.address),
        token,
        'AccessControlUnauthorizedAccount',
        [f.admin.address, ZeroHash],
      );
      await send(token.connect(nobody).setTreasury(bob.address));
      expect(await token.treasury()).toBe(bob.address);
      // Accepting twice is refused.
      await expectRevert(token.connect(nobody).acceptAdminTransfer(), token, 'NotPendingAdmin', [
        nobody.address,
      ]);
    });

    it('can be cancelled or redirected before acceptance', async () => {
      const asAdmin = token.connect(f.admin);
      await send(asAdmin.beginAdminTransfer(nobody.address));
      const cancelled = await send(asAdmin.cancelAdminTransfer());
      expect(eventArgs(cancelled, token, 'AdminTransferCancelled')).toEqual([
        [f.admin.address, nobody.address],
      ]);
      expect(await token.pendingAdmin()).toBe(ZeroAddress);
      await expectRevert(token.connect(nobody).acceptAdminTransfer(), token, 'NotPendingAdmin', [
        nobody.address,
      ]);

      await send(asAdmin.beginAdminTransfer(nobody.address));
      await send(asAdmin.beginAdminTransfer(bob.address));
      await expectRevert(token.connect(nobody).acceptAdminTransfer(), token, 'NotPendingAdmin', [
        nobody.address,
      ]);
      await send(token.connect(bob).acceptAdminTransfer());
      expect(await token.admin()).toBe(bob.address);
    });
  });

  describe('forcedTransfer', () => {
    async function expectForced(from: string, to: string, amount: bigint): Promise<void> {
      const [fromBefore, toBefore, frozenBefore] = await Promise.all([
        token.balanceOf(from),
        token.balanceOf(to),
        token.getFrozenTokens(from),
      ]);
      const receipt = await send(token.forcedTransfer(from, to, amount));
      expect(eventArgs(receipt, token, 'ForcedTransfer')).toEqual([[from, to, amount]]);
      expect(eventArgs(receipt, token, 'Transfer')).toEqual([[from, to, amount]]);
      expect(eventNames(receipt, token)).toEqual(['Transfer', 'ForcedTransfer']);
      expect(await token.balanceOf(from)).toBe(fromBefore - amount);
      expect(await token.balanceOf(to)).toBe(toBefore + amount);
      expect(await token.getFrozenTokens(from)).toBe(frozenBefore);
    }

    it('works while paused', async () => {
      await send(token.pause());
      await expectRevert(token.connect(alice).transfer(bob.address, 1n), token, 'TokenPaused', []);
      await expectForced(alice.address, bob.address, 10n);
    });

    it('works from an unverified sender and from an expired one', async () => {
      await send(f.registry.batchRemoveIdentity([alice.address]));
      await expectForced(alice.address, bob.address, 10n);

      const erin = await fundedWallet(f.provider, 'roles:erin');
      await registerInvestor(f, erin.address, { name: 'erin', expiresIn: 1000 });
      await send(token.mint(erin.address, 5n));
      await increaseTime(f.provider, 2000);
      expect(await token.canSend(erin.address)).toBe(false);
      await expectForced(erin.address, bob.address, 5n);
    });

    it('works from a frozen sender wallet, which stays frozen', async () => {
      await send(token.setWalletFrozen(alice.address, true));
      await expectForced(alice.address, bob.address, 10n);
      expect(await token.isWalletFrozen(alice.address)).toBe(true);
    });

    it('works during the lock-up', async () => {
      await send(token.setLockupEnd((await chainNow(f.provider)) + 10_000));
      const [, , , lockupEnd] = await token.rules();
      await expectRevert(token.connect(alice).transfer(bob.address, 1n), token, 'LockUpActive', [
        lockupEnd,
      ]);
      await expectForced(alice.address, bob.address, 10n);
    });

    it('refuses a receiver that is unverified, frozen or of a disallowed country', async () => {
      await send(token.pause());
      await expectRevert(
        token.forcedTransfer(alice.address, stranger.address, 1n),
        token,
        'ReceiverNotVerified',
        [stranger.address],
      );
      await send(token.setWalletFrozen(bob.address, true));
      await expectRevert(
        token.forcedTransfer(alice.address, bob.address, 1n),
        token,
        'ReceiverFrozen',
        [bob.address],
      );
      await expectRevert(
        token.forcedTransfer(alice.address, dave.address, 1n),
        token,
        'CountryNotAllowed',
        [dave.address, BigInt(COUNTRY.US)],
      );
      expect(await token.balanceOf(alice.address)).toBe(100n);
    });

    it('keeps the receiver limits: max balance and max holders', async () => {
      await send(token.setMaxBalance(50n));
      await expectRevert(
        token.forcedTransfer(alice.address, bob.address, 51n),
        token,
        'MaxBalanceExceeded',
        [bob.address, 51n, 50n],
      );
      await send(token.setMaxHolders(1));
      await expectRevert(
        token.forcedTransfer(alice.address, bob.address, 10n),
        token,
        'MaxHoldersExceeded',
        [2n, 1n],
      );
      await send(token.setMaxBalance(0n));
      // Taking the whole balance keeps the holder count.
      await expectForced(alice.address, bob.address, 100n);
    });

    it('never moves frozen tokens and never changes the frozen amount', async () => {
      await send(token.setFrozenTokens(alice.address, 60n));
      await expectRevert(
        token.forcedTransfer(alice.address, bob.address, 41n),
        token,
        'ERC7943InsufficientUnfrozenBalance',
        [alice.address, 41n, 40n],
      );
      await expectForced(alice.address, bob.address, 40n);
      await expectRevert(
        token.forcedTransfer(alice.address, bob.address, 1n),
        token,
        'ERC7943InsufficientUnfrozenBalance',
        [alice.address, 1n, 0n],
      );
      await expectRevert(
        token.forcedTransfer(alice.address, bob.address, 61n),
        token,
        'ERC20InsufficientBalance',
        [alice.address, 60n, 61n],
      );
      expect(await token.getFrozenTokens(alice.address)).toBe(60n);
      // To take frozen tokens, the freezer first lowers the frozen amount.
      await send(token.setFrozenTokens(alice.address, 0n));
      await expectForced(alice.address, bob.address, 60n);
      expect(await token.getFrozenTokens(alice.address)).toBe(0n);
      expect(await token.getFrozenTokens(bob.address)).toBe(0n);
    });
  });

  describe('recoverWallet', () => {
    it('moves the whole balance, the frozen amount and the wallet freeze to a fresh wallet of the same investor', async () => {
      await send(token.setFrozenTokens(alice.address, 30n));
      await send(token.setWalletFrozen(alice.address, true));
      await send(token.mint(bob.address, 1n));
      const holders = (await token.rules())[2];

      const receipt = await send(token.recoverWallet(alice.address, alice2.address));

      expect(eventNames(receipt, token)).toEqual([
        'Frozen',
        'Frozen',
        'WalletFrozen',
        'WalletFrozen',
        'Transfer',
        'ForcedTransfer',
        'WalletRecovered',
      ]);
      expect(eventArgs(receipt, token, 'Frozen')).toEqual([
        [alice.address, 0n],
        [alice2.address, 30n],
      ]);
      expect(eventArgs(receipt, token, 'WalletFrozen')).toEqual([
        [alice.address, false],
        [alice2.address, true],
      ]);
      expect(eventArgs(receipt, token, 'Transfer')).toEqual([
        [alice.address, alice2.address, 100n],
      ]);
      expect(eventArgs(receipt, token, 'WalletRecovered')).toEqual([
        [alice.address, alice2.address, investorId('alice'), 100n, 30n],
      ]);
      expect(await token.balanceOf(alice.address)).toBe(0n);
      expect(await token.balanceOf(alice2.address)).toBe(100n);
      expect(await token.getFrozenTokens(alice.address)).toBe(0n);
      expect(await token.getFrozenTokens(alice2.address)).toBe(30n);
      expect(await token.isWalletFrozen(alice.address)).toBe(false);
      expect(await token.isWalletFrozen(alice2.address)).toBe(true);
      // The lost wallet can never claim revenue again; the new one has claimed what it had.
      expect(await token.claimedRevenueOf(alice.address)).toBe(ALL_CLAIMED);
      expect(await token.claimedRevenueOf(alice2.address)).toBe(0n);
      expect((await token.rules())[2]).toBe(holders);
      expect(await token.totalSupply()).toBe(101n);
    });

    it('emits no freeze events when there is no frozen state, and works while paused and during lock-up', async () => {
      await send(token.pause());
      await send(token.setLockupEnd((await chainNow(f.provider)) + 10_000));
      const receipt = await send(token.recoverWallet(alice.address, alice2.address));
      expect(eventNames(receipt, token)).toEqual(['Transfer', 'ForcedTransfer', 'WalletRecovered']);
      expect(eventArgs(receipt, token, 'WalletRecovered')).toEqual([
        [alice.address, alice2.address, investorId('alice'), 100n, 0n],
      ]);
      expect(await token.balanceOf(alice2.address)).toBe(100n);
    });

    it('works when the lost wallet is no longer verified but still registered', async () => {
      const lost = await fundedWallet(f.provider, 'roles:lost');
      await registerInvestor(f, lost.address, { name: 'alice', expiresIn: 1000 });
      await send(token.mint(lost.address, 7n));
      await increaseTime(f.provider, 2000);
      await send(token.recoverWallet(lost.address, alice2.address));
      expect(await token.balanceOf(alice2.address)).toBe(7n);
    });

    it("refuses another investor's wallet, an unregistered one, and a lost wallet out of the registry (NotSameInvestor)", async () => {
      await expectRevert(
        token.recoverWallet(alice.address, bob.address),
        token,
        'NotSameInvestor',
        [alice.address, bob.address],
      );
      await expectRevert(
        token.recoverWallet(alice.address, stranger.address),
        token,
        'NotSameInvestor',
        [alice.address, stranger.address],
      );
      await send(f.registry.batchRemoveIdentity([alice.address]));
      await expectRevert(
        token.recoverWallet(alice.address, alice2.address),
        token,
        'NotSameInvestor',
        [alice.address, alice2.address],
      );
      expect(await token.balanceOf(alice.address)).toBe(100n);
    });

    it('refuses an unverified new wallet (ReceiverNotVerified)', async () => {
      const expired = await fundedWallet(f.provider, 'roles:expired');
      await registerInvestor(f, expired.address, { name: 'alice', expiresIn: 1000 });
      await registerInvestor(f, stranger.address, { name: 'alice', expiresIn: 100_000 });
      await increaseTime(f.provider, 2000);
      await expectRevert(
        token.recoverWallet(alice.address, expired.address),
        token,
        'ReceiverNotVerified',
        [expired.address],
      );
      await send(token.recoverWallet(alice.address, stranger.address));
      expect(await token.balanceOf(stranger.address)).toBe(100n);
    });

    it('refuses a new wallet that holds tokens, has frozen tokens or is frozen (RecoveryTargetNotEmpty)', async () => {
      await send(token.mint(alice2.address, 1n));
      await expectRevert(
        token.recoverWallet(alice.address, alice2.address),
        token,
        'RecoveryTargetNotEmpty',
        [alice2.address],
      );
      await send(token.burn(alice2.address, 1n));
      await send(token.setFrozenTokens(alice2.address, 1n));
      await expectRevert(
        token.recoverWallet(alice.address, alice2.address),
        token,
        'RecoveryTargetNotEmpty',
        [alice2.address],
      );
      await send(token.setFrozenTokens(alice2.address, 0n));
      await send(token.setWalletFrozen(alice2.address, true));
      await expectRevert(
        token.recoverWallet(alice.address, alice2.address),
        token,
        'RecoveryTargetNotEmpty',
        [alice2.address],
      );
      await send(token.setWalletFrozen(alice2.address, false));
      await send(token.recoverWallet(alice.address, alice2.address));
      expect(await token.balanceOf(alice2.address)).toBe(100n);
    });

    it('never recovers into a wallet that was itself recovered from (it is marked as having claimed everything)', async () => {
      await send(token.recoverWallet(alice.address, alice2.address));
      expect(await token.balanceOf(alice.address)).toBe(0n);
      await expectRevert(
        token.recoverWallet(alice2.address, alice.address),
        token,
        'RecoveryTargetNotEmpty',
        [alice.address],
      );
    });
  });

  describe('factory', () => {
    function params(
      overrides: Partial<GpuFarmToken.InitParamsStruct> = {},
    ): GpuFarmToken.InitParamsStruct {
      return {
        name: 'GPU Farm Oslo',
        symbol: 'GPUO',
        admin: f.admin.address,
        agent: f.agent.address,
        minter: ZeroAddress,
        treasury: bob.address,
        maxBalance: 500n,
        maxHolders: 7,
        lockupEnd: 1234,
        allowedCountries: [COUNTRY.DE, COUNTRY.US],
        ...overrides,
      };
    }

    it('creates a farm token in one transaction at the predicted address, with its rules and roles', async () => {
      const g = await import('../../libs/chain/src/generated');
      const farmId = id('farm:oslo');
      const predicted = await f.factory.predictTokenAddress(farmId);
      expect(await f.provider.getCode(predicted)).toBe('0x');
      expect(await f.factory.tokenOf(farmId)).toBe(ZeroAddress);

      const receipt = await send(f.factory.createFarmToken(farmId, params()));

      expect(eventArgs(receipt, f.factory, 'FarmTokenCreated')).toEqual([
        [farmId, predicted, 'GPUO', f.admin.address, f.agent.address, bob.address],
      ]);
      expect(await f.factory.tokenOf(farmId)).toBe(predicted);
      expect(await f.provider.getCode(predicted)).not.toBe('0x');
      const oslo = g.GpuFarmToken__factory.connect(predicted, f.agent);
      const factory = await f.factory.getAddress();
      expect(eventArgs(receipt, oslo, 'RoleGranted')).toEqual([
        [ZeroHash, f.admin.address, factory],
        ...AGENT_ROLES.map((role) => [ROLE[role], f.agent.address, factory]),
      ]);
      expect(eventArgs(receipt, oslo, 'CountryAllowed')).toEqual([
        [BigInt(COUNTRY.DE), true],
        [BigInt(COUNTRY.US), true],
      ]);
      expect(eventArgs(receipt, oslo, 'TreasuryChanged')).toEqual([[bob.address]]);
      expect(await oslo.name()).toBe('GPU Farm Oslo');
      expect(await oslo.symbol()).toBe('GPUO');
      expect(await oslo.treasury()).toBe(bob.address);
      expect(await oslo.admin()).toBe(f.admin.address);
      expect(await oslo.identityRegistry()).toBe(await f.registry.getAddress());
      expect([...(await oslo.rules())]).toEqual([500n, 7n, 0n, 1234n, false]);
      expect(await oslo.isCountryAllowed(COUNTRY.US)).toBe(true);
      expect(await oslo.isCountryAllowed(COUNTRY.FR)).toBe(false);
      expect(await f.factory.implementation()).toBe(f.deployment.contracts.GpuFarmToken.address);
    });

    it('grants the issuer role to the minter when there is one (RoleGranted per role)', async () => {
      const g = await import('../../libs/chain/src/generated');
      const farmId = id('farm:bergen');
      const sale = await f.sale.getAddress();
      const receipt = await send(f.factory.createFarmToken(farmId, params({ minter: sale })));
      const bergen = g.GpuFarmToken__factory.connect(await f.factory.tokenOf(farmId), f.agent);
      const granted = eventArgs(receipt, bergen, 'RoleGranted');
      expect(granted).toHaveLength(9);
      expect(granted[8]).toEqual([ROLE.ISSUER_ROLE, sale, await f.factory.getAddress()]);
      expect(await bergen.hasRole(ROLE.ISSUER_ROLE, sale)).toBe(true);
      expect(await bergen.hasRole(ROLE.PAUSER_ROLE, sale)).toBe(false);
    });

    it('is for the tokenizer role only', async () => {
      const tokenizer = await f.factory.TOKENIZER_ROLE();
      expect(tokenizer).toBe(id('TOKENIZER_ROLE'));
      for (const caller of [f.admin, nobody]) {
        await expectRevert(
          f.factory.connect(caller).createFarmToken(id('farm:tromso'), params()),
          f.factory,
          'AccessControlUnauthorizedAccount',
          [caller.address, tokenizer],
        );
      }
      expect(await f.factory.tokenOf(id('farm:tromso'))).toBe(ZeroAddress);
    });

    it('makes one token per farm (FarmAlreadyTokenized) and refuses the zero farm id (InvalidFarmId)', async () => {
      const farmId = id('farm:oslo');
      await send(f.factory.createFarmToken(farmId, params()));
      const existing = await f.factory.tokenOf(farmId);
      await expectRevert(
        f.factory.createFarmToken(farmId, params({ symbol: 'OTHER' })),
        f.factory,
        'FarmAlreadyTokenized',
        [farmId, existing],
      );
      await expectRevert(
        f.factory.createFarmToken(ZeroHash, params()),
        f.factory,
        'InvalidFarmId',
        [],
      );
    });

    it('refuses a zero admin, agent or treasury, and an invalid country', async () => {
      for (const field of ['admin', 'agent', 'treasury'] as const) {
        await expectRevert(
          f.factory.createFarmToken(id('farm:oslo'), params({ [field]: ZeroAddress })),
          token,
          'InvalidAddress',
          [ZeroAddress],
        );
      }
      await expectRevert(
        f.factory.createFarmToken(id('farm:oslo'), params({ allowedCountries: [COUNTRY.DE, 0] })),
        token,
        'InvalidCountry',
        [0n],
      );
      expect(await f.factory.tokenOf(id('farm:oslo'))).toBe(ZeroAddress);
    });

    it('cannot initialize a clone twice nor the implementation at all (AlreadyInitialized)', async () => {
      await expectRevert(
        token.connect(nobody).initialize(params({ admin: nobody.address, agent: nobody.address })),
        token,
        'AlreadyInitialized',
        [],
      );
      const g = await import('../../libs/chain/src/generated');
      const implementation = g.GpuFarmToken__factory.connect(
        await f.factory.implementation(),
        nobody,
      );
      await expectRevert(
        implementation.initialize(params({ admin: nobody.address, agent: nobody.address })),
        token,
        'AlreadyInitialized',
        [],
      );
      expect(await token.admin()).toBe(f.admin.address);
      expect(await implementation.admin()).toBe(ZeroAddress);
    });
  });
});
