import { type Wallet, ZeroAddress, isError } from 'ethers';
import {
  COUNTRY,
  type ContractsFixture,
  chainNow,
  createFarmToken,
  expectRevert,
  increaseTime,
  registerCast,
  registerInvestor,
  revertAfterEach,
  send,
  startContractsFixture,
  fundedWallet,
} from '../support/contracts-fixture';
import { REFUSAL_OF_ERROR, eventArgs } from '../support/token-model';
import type { GpuFarmToken } from '../../libs/chain/src/generated';

/** Every transfer rule of GpuFarmToken, allowed and refused, enforced and predicted alike. */
describe('GpuFarmToken rules', () => {
  let f: ContractsFixture;
  let token: GpuFarmToken;
  /** alice (DE), her second wallet, bob (FR), carol (IS), dave (US, not allowed), and an unregistered wallet. */
  let alice: Wallet, alice2: Wallet, bob: Wallet, carol: Wallet, dave: Wallet, stranger: Wallet;

  beforeAll(async () => {
    f = await startContractsFixture();
    ({ alice, alice2, bob, carol, dave, stranger } = await registerCast(f, 'rules'));
    token = await createFarmToken(f, { farm: 'rules' });
  });
  afterAll(async () => {
    await f?.stop();
  });
  revertAfterEach(() => f.provider);

  async function holderCount(): Promise<bigint> {
    return (await token.rules())[2];
  }

  /**
   * Asserts the verdict of a transfer three ways: canTransfer, transferRefusal, and the transfer
   * itself (balances moved, or the exact custom error and arguments).
   */
  async function expectTransfer(
    from: Wallet,
    to: string,
    amount: bigint,
    refusal?: [error: string, args: unknown[]],
  ): Promise<void> {
    const [canTransfer, code, fromBefore, toBefore] = await Promise.all([
      token.canTransfer(from.address, to, amount),
      token.transferRefusal(from.address, to, amount),
      token.balanceOf(from.address),
      token.balanceOf(to),
    ]);
    if (!refusal) {
      // The would-be revert, decoded, so that a failure says which rule refused.
      const outcome = await token
        .connect(from)
        .transfer.staticCall(to, amount)
        .then(
          () => 'ok',
          (e: unknown) => {
            const data = isError(e, 'CALL_EXCEPTION') ? e.data : undefined;
            const decoded = data ? token.interface.parseError(data) : null;
            return decoded ? `${decoded.name}(${decoded.args.join(', ')})` : String(e);
          },
        );
      expect({ canTransfer, code, outcome }).toEqual({
        canTransfer: true,
        code: 0n,
        outcome: 'ok',
      });
      const receipt = await send(token.connect(from).transfer(to, amount));
      expect(eventArgs(receipt, token, 'Transfer')).toEqual([[from.address, to, amount]]);
      const moved = from.address === to ? 0n : amount;
      expect(await token.balanceOf(from.address)).toBe(fromBefore - moved);
      expect(await token.balanceOf(to)).toBe(toBefore + moved);
      return;
    }
    const [error, args] = refusal;
    expect([canTransfer, code]).toEqual([false, BigInt(REFUSAL_OF_ERROR[error])]);
    await expectRevert(token.connect(from).transfer(to, amount), token, error, args);
    expect(await token.balanceOf(from.address)).toBe(fromBefore);
    expect(await token.balanceOf(to)).toBe(toBefore);
  }

  describe('token basics', () => {
    it('has 0 decimals and declares ERC-7943, ERC-165 and IAccessControl', async () => {
      expect(await token.decimals()).toBe(0n);
      expect(await token.name()).toBe('GPU Farm rules');
      expect(await token.symbol()).toBe('GPUF');
      expect(await token.supportsInterface('0x3edbb4c4')).toBe(true); // ERC-7943 fungible
      expect(await token.supportsInterface('0x01ffc9a7')).toBe(true); // ERC-165
      expect(await token.supportsInterface('0x7965db0b')).toBe(true); // IAccessControl
      expect(await token.supportsInterface('0xffffffff')).toBe(false);
      expect(await token.supportsInterface('0x36372b07')).toBe(false); // IERC20 is implied, not declared
    });

    it('starts with no holders, no supply and no limits', async () => {
      const [maxBalance, maxHolders, holders, lockupEnd, paused] = await token.rules();
      expect([maxBalance, maxHolders, holders, lockupEnd, paused]).toEqual([0n, 0n, 0n, 0n, false]);
      expect(await token.totalSupply()).toBe(0n);
    });
  });

  describe('pause', () => {
    it('refuses transfers, mints and burns while paused (TokenPaused) and lets them through after unpause', async () => {
      await send(token.mint(alice.address, 100n));
      const paused = await send(token.pause());
      expect(eventArgs(paused, token, 'Paused')).toEqual([[f.agent.address]]);
      expect((await token.rules())[4]).toBe(true);

      await expectTransfer(alice, bob.address, 10n, ['TokenPaused', []]);
      await expectRevert(token.mint(bob.address, 1n), token, 'TokenPaused', []);
      await expectRevert(token.burn(alice.address, 1n), token, 'TokenPaused', []);
      await expectRevert(
        token.connect(alice).transferFrom(alice.address, bob.address, 0n),
        token,
        'TokenPaused',
        [],
      );
      // The pause is reported before any other rule.
      await expectTransfer(stranger, dave.address, 1n, ['TokenPaused', []]);

      const unpaused = await send(token.unpause());
      expect(eventArgs(unpaused, token, 'Unpaused')).toEqual([[f.agent.address]]);
      expect((await token.rules())[4]).toBe(false);
      await expectTransfer(alice, bob.address, 10n);
      await send(token.mint(bob.address, 1n));
      await send(token.burn(alice.address, 1n));
      expect(await token.balanceOf(alice.address)).toBe(89n);
      expect(await token.balanceOf(bob.address)).toBe(11n);
    });
  });

  describe('sender', () => {
    it('refuses a sender that is not in the registry (SenderNotVerified) and passes once registered', async () => {
      await send(token.mint(alice.address, 50n));
      await send(f.registry.batchRemoveIdentity([alice.address]));
      expect(await token.canSend(alice.address)).toBe(false);
      await expectTransfer(alice, bob.address, 1n, ['SenderNotVerified', [alice.address]]);

      await registerInvestor(f, alice.address, { name: 'alice' });
      expect(await token.canSend(alice.address)).toBe(true);
      await expectTransfer(alice, bob.address, 1n);
    });

    it('refuses a sender whose KYC has expired (SenderNotVerified) and passes after renewal', async () => {
      const erin = await fundedWallet(f.provider, 'rules:erin');
      await registerInvestor(f, erin.address, { name: 'erin', expiresIn: 1000 });
      await send(token.mint(erin.address, 50n));
      expect(await token.canSend(erin.address)).toBe(true);
      await expectTransfer(erin, bob.address, 1n);

      await increaseTime(f.provider, 1500);
      expect(await token.canSend(erin.address)).toBe(false);
      expect(await token.canReceive(erin.address)).toBe(false);
      await expectTransfer(erin, bob.address, 1n, ['SenderNotVerified', [erin.address]]);
      await expectTransfer(bob, erin.address, 1n, ['ReceiverNotVerified', [erin.address]]);

      const now = await chainNow(f.provider);
      await send(f.registry.batchUpdateIdentity([erin.address], [COUNTRY.DE], [now + 1000]));
      await expectTransfer(erin, bob.address, 1n);
    });

    it('refuses a frozen sender wallet (SenderFrozen) and passes once unfrozen', async () => {
      await send(token.mint(alice.address, 50n));
      const frozen = await send(token.setWalletFrozen(alice.address, true));
      expect(eventArgs(frozen, token, 'WalletFrozen')).toEqual([[alice.address, true]]);
      expect(await token.isWalletFrozen(alice.address)).toBe(true);
      expect(await token.canSend(alice.address)).toBe(false);
      expect(await token.canReceive(alice.address)).toBe(false);
      await expectTransfer(alice, bob.address, 1n, ['SenderFrozen', [alice.address]]);
      // Sender checks come before receiver checks.
      await expectTransfer(alice, stranger.address, 1n, ['SenderFrozen', [alice.address]]);

      const unfrozen = await send(token.setWalletFrozen(alice.address, false));
      expect(eventArgs(unfrozen, token, 'WalletFrozen')).toEqual([[alice.address, false]]);
      expect(await token.canSend(alice.address)).toBe(true);
      await expectTransfer(alice, bob.address, 1n);
    });

    it('does not check the sender country', async () => {
      await send(token.mint(alice.address, 50n));
      await send(token.setCountriesAllowed([COUNTRY.DE], false));
      expect(await token.canSend(alice.address)).toBe(true);
      expect(await token.canReceive(alice.address)).toBe(false);
      await expectTransfer(alice, bob.address, 5n);
    });
  });

  describe('receiver', () => {
    it('refuses a receiver that is not verified (ReceiverNotVerified), on transfer and on mint', async () => {
      await send(token.mint(alice.address, 50n));
      expect(await token.canReceive(stranger.address)).toBe(false);
      await expectTransfer(alice, stranger.address, 1n, [
        'ReceiverNotVerified',
        [stranger.address],
      ]);
      await expectRevert(token.mint(stranger.address, 1n), token, 'ReceiverNotVerified', [
        stranger.address,
      ]);
      await expectRevert(token.mint(ZeroAddress, 1n), token, 'ERC20InvalidReceiver', [ZeroAddress]);

      await registerInvestor(f, stranger.address, { name: 'stranger', country: COUNTRY.FR });
      expect(await token.canReceive(stranger.address)).toBe(true);
      await expectTransfer(alice, stranger.address, 1n);
      await send(token.mint(stranger.address, 1n));
      expect(await token.balanceOf(stranger.address)).toBe(2n);
    });

    it('refuses a frozen receiver wallet (ReceiverFrozen), on transfer and on mint', async () => {
      await send(token.mint(alice.address, 50n));
      await send(token.setWalletFrozen(bob.address, true));
      expect(await token.canReceive(bob.address)).toBe(false);
      await expectTransfer(alice, bob.address, 1n, ['ReceiverFrozen', [bob.address]]);
      await expectRevert(token.mint(bob.address, 1n), token, 'ReceiverFrozen', [bob.address]);

      await send(token.setWalletFrozen(bob.address, false));
      expect(await token.canReceive(bob.address)).toBe(true);
      await expectTransfer(alice, bob.address, 1n);
      await send(token.mint(bob.address, 1n));
    });

    it('refuses a receiver of a country that is not allowed (CountryNotAllowed) until it is allowed', async () => {
      await send(token.mint(alice.address, 50n));
      expect(await token.isCountryAllowed(COUNTRY.US)).toBe(false);
      expect(await token.canReceive(dave.address)).toBe(false);
      await expectTransfer(alice, dave.address, 1n, [
        'CountryNotAllowed',
        [dave.address, BigInt(COUNTRY.US)],
      ]);
      await expectRevert(token.mint(dave.address, 1n), token, 'CountryNotAllowed', [
        dave.address,
        BigInt(COUNTRY.US),
      ]);

      const allowed = await send(token.setCountriesAllowed([COUNTRY.US], true));
      expect(eventArgs(allowed, token, 'CountryAllowed')).toEqual([[BigInt(COUNTRY.US), true]]);
      expect(await token.isCountryAllowed(COUNTRY.US)).toBe(true);
      expect(await token.canReceive(dave.address)).toBe(true);
      await expectTransfer(alice, dave.address, 1n);
      await send(token.mint(dave.address, 1n));

      // And the other way: disallowing countries that were allowed.
      const disallowed = await send(token.setCountriesAllowed([COUNTRY.FR, COUNTRY.US], false));
      expect(eventArgs(disallowed, token, 'CountryAllowed')).toEqual([
        [BigInt(COUNTRY.FR), false],
        [BigInt(COUNTRY.US), false],
      ]);
      expect(await token.isCountryAllowed(COUNTRY.FR)).toBe(false);
      expect(await token.isCountryAllowed(COUNTRY.DE)).toBe(true);
      await expectTransfer(alice, bob.address, 1n, [
        'CountryNotAllowed',
        [bob.address, BigInt(COUNTRY.FR)],
      ]);
      await expectTransfer(alice, dave.address, 1n, [
        'CountryNotAllowed',
        [dave.address, BigInt(COUNTRY.US)],
      ]);
      await expectTransfer(alice, carol.address, 1n);
    });

    it('follows a country change in the registry', async () => {
      await send(token.mint(alice.address, 50n));
      const now = await chainNow(f.provider);
      await send(f.registry.batchUpdateIdentity([bob.address], [COUNTRY.US], [now + 10_000]));
      await expectTransfer(alice, bob.address, 1n, [
        'CountryNotAllowed',
        [bob.address, BigInt(COUNTRY.US)],
      ]);
      await send(f.registry.batchUpdateIdentity([bob.address], [COUNTRY.IS], [now + 10_000]));
      await expectTransfer(alice, bob.address, 1n);
    });

    it('refuses invalid country codes in setCountriesAllowed (InvalidCountry)', async () => {
      for (const country of [0, 1000]) {
        await expectRevert(
          token.setCountriesAllowed([COUNTRY.US, country], true),
          token,
          'InvalidCountry',
          [BigInt(country)],
        );
      }
      expect(await token.isCountryAllowed(COUNTRY.US)).toBe(false);
      await send(token.setCountriesAllowed([1, 999], true));
      expect(await token.isCountryAllowed(1)).toBe(true);
      expect(await token.isCountryAllowed(999)).toBe(true);
      expect(await token.isCountryAllowed(998)).toBe(false);
    });

    it('checks the receiver in the NatSpec order: verified, then frozen, then country', async () => {
      await send(token.mint(alice.address, 50n));
      await send(token.setWalletFrozen(dave.address, true));
      await expectTransfer(alice, dave.address, 1n, ['ReceiverFrozen', [dave.address]]);
      await send(token.setWalletFrozen(stranger.address, true));
      await expectTransfer(alice, stranger.address, 1n, [
        'ReceiverNotVerified',
        [stranger.address],
      ]);
    });
  });

  describe('lock-up', () => {
    it('refuses transfers before the lock-up end (LockUpActive) but not mints or burns; passes after', async () => {
      const lockupEnd = (await chainNow(f.provider)) + 1000;
      const changed = await send(token.setLockupEnd(lockupEnd));
      expect(eventArgs(changed, token, 'LockupEndChanged')).toEqual([[BigInt(lockupEnd)]]);
      expect((await token.rules())[3]).toBe(BigInt(lockupEnd));

      // Mints and burns are not subject to the lock-up.
      await send(token.mint(alice.address, 50n));
      await send(token.burn(alice.address, 5n));
      expect(await token.balanceOf(alice.address)).toBe(45n);

      await expectTransfer(alice, bob.address, 1n, ['LockUpActive', [BigInt(lockupEnd)]]);
      // Between two wallets of the same investor, too.
      await expectTransfer(alice, alice2.address, 1n, ['LockUpActive', [BigInt(lockupEnd)]]);
      // Receiver checks come first.
      await expectTransfer(alice, dave.address, 1n, [
        'CountryNotAllowed',
        [dave.address, BigInt(COUNTRY.US)],
      ]);

      await increaseTime(f.provider, 1000);
      await expectTransfer(alice, bob.address, 1n);
      await expectTransfer(bob, alice2.address, 1n);
    });
  });

  describe('partially frozen amounts', () => {
    it('refuses to move more than the unfrozen part (ERC7943InsufficientUnfrozenBalance)', async () => {
      await send(token.mint(alice.address, 100n));
      const frozen = await send(token.setFrozenTokens(alice.address, 60n));
      expect(eventArgs(frozen, token, 'Frozen')).toEqual([[alice.address, 60n]]);
      expect(await token.getFrozenTokens(alice.address)).toBe(60n);
      // A partial freeze does not stop the account as a whole.
      expect(await token.canSend(alice.address)).toBe(true);

      await expectTransfer(alice, bob.address, 41n, [
        'ERC7943InsufficientUnfrozenBalance',
        [alice.address, 41n, 40n],
      ]);
      await expectRevert(
        token.burn(alice.address, 41n),
        token,
        'ERC7943InsufficientUnfrozenBalance',
        [alice.address, 41n, 40n],
      );
      await expectTransfer(alice, bob.address, 40n);
      await expectTransfer(alice, bob.address, 1n, [
        'ERC7943InsufficientUnfrozenBalance',
        [alice.address, 1n, 0n],
      ]);
      // Minting to a partly frozen wallet is fine; the new units are unfrozen.
      await send(token.mint(alice.address, 10n));
      await expectTransfer(alice, bob.address, 10n);
      expect(await token.getFrozenTokens(alice.address)).toBe(60n);
      expect(await token.balanceOf(alice.address)).toBe(60n);

      await send(token.setFrozenTokens(alice.address, 0n));
      await expectTransfer(alice, bob.address, 60n);
    });

    it('allows a frozen amount above the balance: nothing can be moved', async () => {
      await send(token.mint(alice.address, 10n));
      await send(token.setFrozenTokens(alice.address, 1000n));
      expect(await token.getFrozenTokens(alice.address)).toBe(1000n);
      await expectTransfer(alice, bob.address, 1n, [
        'ERC7943InsufficientUnfrozenBalance',
        [alice.address, 1n, 0n],
      ]);
      await expectTransfer(alice, bob.address, 10n, [
        'ERC7943InsufficientUnfrozenBalance',
        [alice.address, 10n, 0n],
      ]);
      await expectRevert(
        token.burn(alice.address, 10n),
        token,
        'ERC7943InsufficientUnfrozenBalance',
        [alice.address, 10n, 0n],
      );
    });

    it('refuses a frozen amount that does not fit in 128 bits (FrozenAmountTooLarge)', async () => {
      const tooLarge = 1n << 128n;
      await expectRevert(
        token.setFrozenTokens(alice.address, tooLarge),
        token,
        'FrozenAmountTooLarge',
        [tooLarge],
      );
      await send(token.setFrozenTokens(alice.address, tooLarge - 1n));
      expect(await token.getFrozenTokens(alice.address)).toBe(tooLarge - 1n);
    });

    it('lets a zero-amount transfer through even when the frozen amount exceeds the balance', async () => {
      // Unfrozen = max(0, balance - frozen) = 0 and 0 <= 0: ERC-7943 refuses only amount > unfrozen.
      await send(token.mint(alice.address, 10n));
      await send(token.setFrozenTokens(alice.address, 20n));
      await expectTransfer(alice, bob.address, 0n);
    });
  });

  describe('max balance', () => {
    it('refuses a receiver balance above the max (MaxBalanceExceeded), on transfer and on mint', async () => {
      const changed = await send(token.setMaxBalance(100n));
      expect(eventArgs(changed, token, 'MaxBalanceChanged')).toEqual([[100n]]);
      expect((await token.rules())[0]).toBe(100n);

      await expectRevert(token.mint(alice.address, 101n), token, 'MaxBalanceExceeded', [
        alice.address,
        101n,
        100n,
      ]);
      await send(token.mint(alice.address, 100n));
      await send(token.mint(bob.address, 30n));
      await expectTransfer(bob, alice.address, 1n, [
        'MaxBalanceExceeded',
        [alice.address, 101n, 100n],
      ]);
      await expectTransfer(alice, bob.address, 70n);
      await expectTransfer(alice, bob.address, 1n, [
        'MaxBalanceExceeded',
        [bob.address, 101n, 100n],
      ]);
      await expectRevert(
        token.batchMint([carol.address, bob.address], [5n, 1n]),
        token,
        'MaxBalanceExceeded',
        [bob.address, 101n, 100n],
      );
      expect(await token.balanceOf(carol.address)).toBe(0n);
    });

    it('keeps existing balances when lowered, and 0 means no limit', async () => {
      await send(token.mint(alice.address, 100n));
      await send(token.setMaxBalance(50n));
      // Alice keeps her 100 and may send; she may not receive.
      await expectTransfer(alice, bob.address, 10n);
      await expectTransfer(bob, alice.address, 1n, [
        'MaxBalanceExceeded',
        [alice.address, 91n, 50n],
      ]);
      await send(token.setMaxBalance(0n));
      expect((await token.rules())[0]).toBe(0n);
      await send(token.mint(alice.address, 1_000_000n));
      await expectTransfer(bob, alice.address, 10n);
    });

    it('does not count a self-transfer twice: the balance after it is unchanged', async () => {
      await send(token.setMaxBalance(100n));
      await send(token.mint(alice.address, 60n));
      // Alice's balance after sending 50 to herself is 60, within 100.
      await expectTransfer(alice, alice.address, 50n);
      expect(await token.balanceOf(alice.address)).toBe(60n);
    });
  });

  describe('max holders', () => {
    it('refuses a new holder above the max (MaxHoldersExceeded) but not moves between holders', async () => {
      const changed = await send(token.setMaxHolders(2));
      expect(eventArgs(changed, token, 'MaxHoldersChanged')).toEqual([[2n]]);
      expect((await token.rules())[1]).toBe(2n);
      await send(token.mint(alice.address, 50n));
      await send(token.mint(bob.address, 50n));
      expect(await holderCount()).toBe(2n);

      await expectRevert(token.mint(carol.address, 1n), token, 'MaxHoldersExceeded', [3n, 2n]);
      await expectTransfer(alice, carol.address, 1n, ['MaxHoldersExceeded', [3n, 2n]]);
      // Between existing holders.
      await expectTransfer(alice, bob.address, 10n);
      await send(token.mint(alice.address, 1n));
      // A transfer that empties the sender keeps the count at the limit.
      await expectTransfer(alice, carol.address, 41n);
      expect(await token.balanceOf(alice.address)).toBe(0n);
      expect(await holderCount()).toBe(2n);
      await expectTransfer(bob, alice.address, 1n, ['MaxHoldersExceeded', [3n, 2n]]);
      // Zero-amount transfers do not add a holder.
      await expectTransfer(bob, alice.address, 0n);
    });

    it('lets transfers and burns through when lowered below the count, and 0 means no limit', async () => {
      await send(token.mint(alice.address, 50n));
      await send(token.mint(bob.address, 50n));
      await send(token.mint(carol.address, 50n));
      await send(token.setMaxHolders(1));
      await expectTransfer(alice, bob.address, 5n);
      await send(token.burn(carol.address, 50n));
      expect(await holderCount()).toBe(2n);
      await expectTransfer(alice, carol.address, 1n, ['MaxHoldersExceeded', [3n, 1n]]);
      await send(token.setMaxHolders(0));
      await expectTransfer(alice, carol.address, 1n);
      expect(await holderCount()).toBe(3n);
    });
  });

  describe('mint and burn', () => {
    it('mint checks the receiver only: not the lock-up, and not the caller as a holder', async () => {
      await send(token.setLockupEnd((await chainNow(f.provider)) + 10_000));
      // The agent is not in the registry; it is not a sender of a mint.
      expect(await f.registry.isVerified(f.agent.address)).toBe(false);
      const receipt = await send(token.mint(alice.address, 7n));
      expect(eventArgs(receipt, token, 'Transfer')).toEqual([[ZeroAddress, alice.address, 7n]]);
      await send(token.batchMint([bob.address, carol.address], [3n, 4n]));
      expect(await token.totalSupply()).toBe(14n);
      await expectRevert(token.batchMint([bob.address], [1n, 2n]), token, 'LengthMismatch', []);
    });

    it('burn checks the holder: verified, not frozen, unfrozen amount; not its country or the lock-up', async () => {
      await send(token.mint(alice.address, 50n));
      await send(token.setLockupEnd((await chainNow(f.provider)) + 10_000));
      await send(token.setCountriesAllowed([COUNTRY.DE], false));
      const receipt = await send(token.burn(alice.address, 5n));
      expect(eventArgs(receipt, token, 'Transfer')).toEqual([[alice.address, ZeroAddress, 5n]]);

      await send(token.setWalletFrozen(alice.address, true));
      await expectRevert(token.burn(alice.address, 1n), token, 'SenderFrozen', [alice.address]);
      await send(token.setWalletFrozen(alice.address, false));

      await send(f.registry.batchRemoveIdentity([alice.address]));
      await expectRevert(token.burn(alice.address, 1n), token, 'SenderNotVerified', [
        alice.address,
      ]);
      await registerInvestor(f, alice.address, { name: 'alice' });

      await send(token.setFrozenTokens(alice.address, 40n));
      await expectRevert(
        token.burn(alice.address, 6n),
        token,
        'ERC7943InsufficientUnfrozenBalance',
        [alice.address, 6n, 5n],
      );
      await send(token.burn(alice.address, 5n));
      expect(await token.balanceOf(alice.address)).toBe(40n);
      expect(await token.totalSupply()).toBe(40n);
      await expectRevert(token.burn(alice.address, 41n), token, 'ERC20InsufficientBalance', [
        alice.address,
        40n,
        41n,
      ]);
    });
  });

  describe('ERC-20 and ERC-7943 consistency', () => {
    it('canTransfer ignores the balance (ERC-7943) while the transfer reverts with ERC20InsufficientBalance', async () => {
      await send(token.mint(alice.address, 10n));
      expect(await token.canTransfer(alice.address, bob.address, 11n)).toBe(true);
      expect(await token.transferRefusal(alice.address, bob.address, 11n)).toBe(0n);
      await expectRevert(
        token.connect(alice).transfer(bob.address, 11n),
        token,
        'ERC20InsufficientBalance',
        [alice.address, 10n, 11n],
      );
      // With a partial freeze, an amount above the balance is still ERC-20's to refuse.
      await send(token.setFrozenTokens(alice.address, 5n));
      expect(await token.canTransfer(alice.address, bob.address, 11n)).toBe(true);
      await expectRevert(
        token.connect(alice).transfer(bob.address, 11n),
        token,
        'ERC20InsufficientBalance',
        [alice.address, 10n, 11n],
      );
    });

    it('applies the same rules to transferFrom', async () => {
      await send(token.mint(alice.address, 10n));
      await send(token.connect(alice).approve(carol.address, 10n));
      await expectRevert(
        token.connect(carol).transferFrom(alice.address, stranger.address, 1n),
        token,
        'ReceiverNotVerified',
        [stranger.address],
      );
      await send(token.setWalletFrozen(alice.address, true));
      await expectRevert(
        token.connect(carol).transferFrom(alice.address, bob.address, 1n),
        token,
        'SenderFrozen',
        [alice.address],
      );
      await send(token.setWalletFrozen(alice.address, false));
      await send(token.connect(carol).transferFrom(alice.address, bob.address, 4n));
      expect(await token.balanceOf(bob.address)).toBe(4n);
      expect(await token.allowance(alice.address, carol.address)).toBe(6n);
    });

    it('canSend and canReceive follow the registry, the wallet freeze and the countries', async () => {
      const cases: [Wallet, boolean, boolean][] = [
        [alice, true, true],
        [bob, true, true],
        [dave, true, false], // US is not allowed: may send, may not receive
        [stranger, false, false],
      ];
      for (const [wallet, canSend, canReceive] of cases) {
        expect([
          await token.canSend(wallet.address),
          await token.canReceive(wallet.address),
        ]).toEqual([canSend, canReceive]);
      }
    });

    it('keeps the holder count right through mints, transfers and burns', async () => {
      expect(await holderCount()).toBe(0n);
      await send(token.mint(alice.address, 10n));
      expect(await holderCount()).toBe(1n);
      await send(token.mint(alice.address, 10n));
      expect(await holderCount()).toBe(1n);
      await send(token.batchMint([bob.address, carol.address, bob.address], [5n, 5n, 5n]));
      expect(await holderCount()).toBe(3n);
      await send(token.mint(alice2.address, 0n));
      expect(await holderCount()).toBe(3n);
      await expectTransfer(alice, alice2.address, 5n);
      expect(await holderCount()).toBe(4n);
      await expectTransfer(carol, bob.address, 5n);
      expect(await holderCount()).toBe(3n);
      await expectTransfer(alice, alice.address, 3n);
      expect(await holderCount()).toBe(3n);
      await send(token.burn(alice2.address, 5n));
      expect(await holderCount()).toBe(2n);
      await send(token.burn(alice.address, 1n));
      expect(await holderCount()).toBe(2n);
      await send(token.burn(alice.address, 14n));
      await send(token.burn(bob.address, 15n));
      expect(await holderCount()).toBe(0n);
      expect(await token.totalSupply()).toBe(0n);
    });

    it('reports the first failing rule in the NatSpec order', async () => {
      await send(token.mint(alice.address, 10n));
      await send(token.mint(bob.address, 10n));
      await send(token.setLockupEnd((await chainNow(f.provider)) + 10_000));
      await send(token.setFrozenTokens(alice.address, 10n));
      await send(token.setMaxBalance(10n));
      await send(token.setMaxHolders(1));
      // Lock-up before unfrozen amount, max balance and max holders.
      await expectTransfer(alice, carol.address, 5n, ['LockUpActive', [(await token.rules())[3]]]);
      await send(token.setLockupEnd(0));
      await expectTransfer(alice, carol.address, 5n, [
        'ERC7943InsufficientUnfrozenBalance',
        [alice.address, 5n, 0n],
      ]);
      await send(token.setFrozenTokens(alice.address, 0n));
      await expectTransfer(alice, bob.address, 5n, ['MaxBalanceExceeded', [bob.address, 15n, 10n]]);
      await expectTransfer(alice, carol.address, 5n, ['MaxHoldersExceeded', [3n, 1n]]);
    });
  });
});
