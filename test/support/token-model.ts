import { type BaseContract, type TransactionReceipt, getAddress } from 'ethers';

/**
 * A plain TypeScript model of a GpuFarmToken and the identity records it reads, for the
 * property test. Written from the rules as the contract's NatSpec states them, not from its
 * code:
 *
 *   Rules, in the order they are checked (the first failing one is reported): paused; sender
 *   verified and not frozen (transfer, burn); receiver verified, not frozen and of an allowed
 *   country (transfer, mint, forced transfer); lock-up over (transfers between investors only);
 *   amount within the sender's unfrozen balance; receiver's balance within maxBalance; holder
 *   count within maxHolders (only increases are refused).
 *
 *   A forced transfer bypasses the pause, the sender's verification and wallet freeze and the
 *   lock-up, but never the receiver's checks, and moves only the unfrozen part. Recovery moves a
 *   lost wallet's whole balance, its frozen state and its claimed revenue to a fresh verified
 *   wallet of the same investor (holding nothing, having claimed nothing, nothing frozen); the
 *   lost wallet can never claim this token's revenue again (its claimed total becomes the
 *   largest, 2^128 - 1). An amount above the balance passes the rules and is refused by ERC-20.
 *
 * Verdicts are a custom error name and its arguments (numbers as bigint), as the chain decodes them.
 */

export const ZERO = '0x0000000000000000000000000000000000000000';
/** 2^128 - 1: the largest frozen amount, and the claimed revenue of a wallet that can never claim again. */
export const ALL_CLAIMED = (1n << 128n) - 1n;

export type Verdict = { ok: true } | { ok: false; error: string; args: unknown[] };

export const OK: Verdict = { ok: true };

function refuse(error: string, ...args: unknown[]): Verdict {
  return { ok: false, error, args };
}

export interface Identity {
  investorId: string;
  country: number;
  kycExpiry: number;
}

export interface TokenModelState {
  allowedCountries: number[];
  maxBalance?: bigint;
  maxHolders?: number;
  lockupEnd?: number;
  now: number;
  identities?: Record<string, Identity>;
}

type Mode = 'transfer' | 'mint' | 'burn' | 'forced';

/** The `Refusal` enum of GpuFarmToken.transferRefusal, by the custom error it stands for. */
export const REFUSAL_OF_ERROR: Record<string, number> = {
  TokenPaused: 1,
  SenderNotVerified: 2,
  SenderFrozen: 3,
  ReceiverNotVerified: 4,
  ReceiverFrozen: 5,
  CountryNotAllowed: 6,
  LockUpActive: 7,
  ERC7943InsufficientUnfrozenBalance: 8,
  MaxBalanceExceeded: 9,
  MaxHoldersExceeded: 10,
};

/** What transferRefusal should answer for a transfer whose execution gives `verdict`. */
export function refusalCode(verdict: Verdict): number {
  if (verdict.ok || verdict.error === 'ERC20InsufficientBalance') return 0;
  const code = REFUSAL_OF_ERROR[verdict.error];
  if (code === undefined) throw new Error(`no Refusal for ${verdict.error}`);
  return code;
}

export class TokenModel {
  readonly balances = new Map<string, bigint>();
  readonly frozen = new Map<string, bigint>();
  readonly walletFrozen = new Set<string>();
  /** Revenue claimed per wallet (claims are not modelled; recovery moves and marks it). */
  readonly claimed = new Map<string, bigint>();
  readonly identities = new Map<string, Identity>();
  readonly allowedCountries: Set<number>;
  maxBalance: bigint;
  maxHolders: number;
  lockupEnd: number;
  paused = false;
  /** The chain time at which the next transaction runs. */
  now: number;

  constructor(state: TokenModelState) {
    this.allowedCountries = new Set(state.allowedCountries);
    this.maxBalance = state.maxBalance ?? 0n;
    this.maxHolders = state.maxHolders ?? 0;
    this.lockupEnd = state.lockupEnd ?? 0;
    this.now = state.now;
    for (const [wallet, identity] of Object.entries(state.identities ?? {})) {
      this.identities.set(wallet, { ...identity });
    }
  }

  // ------------------------------------------------------------------ views

  balanceOf(account: string): bigint {
    return this.balances.get(account) ?? 0n;
  }

  frozenOf(account: string): bigint {
    return this.frozen.get(account) ?? 0n;
  }

  claimedOf(account: string): bigint {
    return this.claimed.get(account) ?? 0n;
  }

  isWalletFrozen(account: string): boolean {
    return this.walletFrozen.has(account);
  }

  totalSupply(): bigint {
    let sum = 0n;
    for (const balance of this.balances.values()) sum += balance;
    return sum;
  }

  holderCount(): number {
    let count = 0;
    for (const balance of this.balances.values()) if (balance > 0n) count++;
    return count;
  }

  isVerified(account: string): boolean {
    const identity = this.identities.get(account);
    return identity !== undefined && identity.kycExpiry > this.now;
  }

  countryOf(account: string): number {
    return this.identities.get(account)?.country ?? 0;
  }

  unfrozenOf(account: string): bigint {
    const balance = this.balanceOf(account);
    const frozen = this.frozenOf(account);
    return balance > frozen ? balance - frozen : 0n;
  }

  canSend(account: string): boolean {
    return this.isVerified(account) && !this.isWalletFrozen(account);
  }

  canReceive(account: string): boolean {
    return (
      this.isVerified(account) &&
      !this.isWalletFrozen(account) &&
      this.allowedCountries.has(this.countryOf(account))
    );
  }

  // ------------------------------------------------------------------ the rules

  /** The verdict of moving `amount` from `from` to `to` (ZERO for mint and burn) in `mode`. */
  check(mode: Mode, from: string, to: string, amount: bigint): Verdict {
    if (this.paused && mode !== 'forced') return refuse('TokenPaused');
    const sends = mode === 'transfer' || mode === 'burn';
    const receives = mode !== 'burn';
    if (sends) {
      if (!this.isVerified(from)) return refuse('SenderNotVerified', from);
      if (this.isWalletFrozen(from)) return refuse('SenderFrozen', from);
    }
    if (receives) {
      if (!this.isVerified(to)) return refuse('ReceiverNotVerified', to);
      if (this.isWalletFrozen(to)) return refuse('ReceiverFrozen', to);
      const country = this.countryOf(to);
      if (!this.allowedCountries.has(country)) {
        return refuse('CountryNotAllowed', to, BigInt(country));
      }
    }
    if (mode === 'transfer' && this.now < this.lockupEnd) {
      return refuse('LockUpActive', BigInt(this.lockupEnd));
    }
    const balance = mode === 'mint' ? 0n : this.balanceOf(from);
    if (mode !== 'mint' && amount <= balance && amount > this.unfrozenOf(from)) {
      return refuse('ERC7943InsufficientUnfrozenBalance', from, amount, this.unfrozenOf(from));
    }
    if (receives && from !== to && this.maxBalance !== 0n) {
      const after = this.balanceOf(to) + amount;
      if (after > this.maxBalance) return refuse('MaxBalanceExceeded', to, after, this.maxBalance);
    }
    const holders = this.holderCount();
    const holdersAfter = this.holdersAfter(mode, from, to, amount);
    if (this.maxHolders !== 0 && holdersAfter > this.maxHolders && holdersAfter > holders) {
      return refuse('MaxHoldersExceeded', BigInt(holdersAfter), BigInt(this.maxHolders));
    }
    if (mode !== 'mint' && amount > balance) {
      return refuse('ERC20InsufficientBalance', from, balance, amount);
    }
    return OK;
  }

  private holdersAfter(mode: Mode, from: string, to: string, amount: bigint): number {
    let count = this.holderCount();
    if (amount === 0n || from === to) return count;
    if (mode !== 'burn' && this.balanceOf(to) === 0n) count++;
    if (mode !== 'mint' && this.balanceOf(from) === amount) count--;
    return count;
  }

  private move(from: string | null, to: string | null, amount: bigint): void {
    if (from !== null) this.balances.set(from, this.balanceOf(from) - amount);
    if (to !== null) this.balances.set(to, this.balanceOf(to) + amount);
  }

  // ------------------------------------------------------------------ token operations

  mint(to: string, amount: bigint): Verdict {
    const verdict = this.check('mint', ZERO, to, amount);
    if (verdict.ok) this.move(null, to, amount);
    return verdict;
  }

  transfer(from: string, to: string, amount: bigint): Verdict {
    const verdict = this.check('transfer', from, to, amount);
    if (verdict.ok) this.move(from, to, amount);
    return verdict;
  }

  forcedTransfer(from: string, to: string, amount: bigint): Verdict {
    const verdict = this.check('forced', from, to, amount);
    if (verdict.ok) this.move(from, to, amount);
    return verdict;
  }

  burn(from: string, amount: bigint): Verdict {
    const verdict = this.check('burn', from, ZERO, amount);
    if (verdict.ok) this.move(from, null, amount);
    return verdict;
  }

  setFrozenTokens(account: string, amount: bigint): Verdict {
    if (amount > ALL_CLAIMED) return refuse('FrozenAmountTooLarge', amount);
    this.frozen.set(account, amount);
    return OK;
  }

  setWalletFrozen(account: string, frozen: boolean): Verdict {
    if (frozen) this.walletFrozen.add(account);
    else this.walletFrozen.delete(account);
    return OK;
  }

  recoverWallet(lost: string, target: string): Verdict {
    const lostIdentity = this.identities.get(lost);
    const targetIdentity = this.identities.get(target);
    if (
      lost === target ||
      !lostIdentity ||
      lostIdentity.investorId !== targetIdentity?.investorId
    ) {
      return refuse('NotSameInvestor', lost, target);
    }
    if (!this.isVerified(target)) return refuse('ReceiverNotVerified', target);
    const country = this.countryOf(target);
    if (!this.allowedCountries.has(country))
      return refuse('CountryNotAllowed', target, BigInt(country));
    if (
      this.balanceOf(target) !== 0n ||
      this.claimedOf(target) !== 0n ||
      this.frozenOf(target) !== 0n ||
      this.isWalletFrozen(target)
    ) {
      return refuse('RecoveryTargetNotEmpty', target);
    }
    const amount = this.balanceOf(lost);
    this.move(lost, target, amount);
    // A wallet recovered from before carries the mark, not a claimed total: it is not passed on.
    const claimed = this.claimedOf(lost);
    this.claimed.set(target, claimed === ALL_CLAIMED ? 0n : claimed);
    this.claimed.set(lost, ALL_CLAIMED);
    this.frozen.set(target, this.frozenOf(lost));
    this.frozen.set(lost, 0n);
    this.setWalletFrozen(target, this.isWalletFrozen(lost));
    this.setWalletFrozen(lost, false);
    return OK;
  }

  pause(): Verdict {
    this.paused = true;
    return OK;
  }

  unpause(): Verdict {
    this.paused = false;
    return OK;
  }

  setCountryAllowed(country: number, allowed: boolean): Verdict {
    if (country === 0 || country > 999) return refuse('InvalidCountry', BigInt(country));
    if (allowed) this.allowedCountries.add(country);
    else this.allowedCountries.delete(country);
    return OK;
  }

  setMaxBalance(maxBalance: bigint): Verdict {
    this.maxBalance = maxBalance;
    return OK;
  }

  setLockupEnd(lockupEnd: number): Verdict {
    this.lockupEnd = lockupEnd;
    return OK;
  }

  setMaxHolders(maxHolders: number): Verdict {
    this.maxHolders = maxHolders;
    return OK;
  }

  // ------------------------------------------------------------------ identity registry

  registerIdentity(wallet: string, identity: Identity): Verdict {
    if (this.identities.has(wallet)) return refuse('IdentityAlreadyRegistered', wallet);
    if (identity.country === 0 || identity.country > 999) {
      return refuse('InvalidCountry', BigInt(identity.country));
    }
    if (identity.kycExpiry <= this.now) {
      return refuse('KycExpiryNotInFuture', BigInt(identity.kycExpiry));
    }
    this.identities.set(wallet, { ...identity });
    return OK;
  }

  updateIdentity(wallet: string, country: number, kycExpiry: number): Verdict {
    const identity = this.identities.get(wallet);
    if (!identity) return refuse('IdentityNotRegistered', wallet);
    if (country === 0 || country > 999) return refuse('InvalidCountry', BigInt(country));
    if (kycExpiry <= this.now) return refuse('KycExpiryNotInFuture', BigInt(kycExpiry));
    this.identities.set(wallet, { ...identity, country, kycExpiry });
    return OK;
  }

  removeIdentity(wallet: string): Verdict {
    if (!this.identities.delete(wallet)) return refuse('IdentityNotRegistered', wallet);
    return OK;
  }

  advanceTime(seconds: number): void {
    this.now += seconds;
  }
}

// -------------------------------------------------------------------- chain helpers for the token tests

/** The arguments of every `name` event that `contract` emitted in `receipt`, in order. */
export function eventArgs(
  receipt: TransactionReceipt,
  contract: BaseContract,
  name: string,
): unknown[][] {
  const address = getAddress(contract.target as string);
  const found: unknown[][] = [];
  for (const log of receipt.logs) {
    if (getAddress(log.address) !== address) continue;
    const parsed = contract.interface.parseLog(log);
    if (parsed?.name === name) found.push([...parsed.args]);
  }
  return found;
}

/** The names of the events `contract` emitted in `receipt`, in order. */
export function eventNames(receipt: TransactionReceipt, contract: BaseContract): string[] {
  const address = getAddress(contract.target as string);
  return receipt.logs
    .filter((log) => getAddress(log.address) === address)
    .map((log) => contract.interface.parseLog(log)?.name ?? '?');
}
