import { GpuFarmToken__factory } from '../generated';
import { type ChainIntent, encodeCall } from '../outbox/chain-intent';

const farmToken = GpuFarmToken__factory.createInterface();

type Call = Pick<ChainIntent, 'to' | 'method' | 'data'>;

const call = (token: string, fn: string, args: readonly unknown[]): Call => ({
  to: token,
  ...encodeCall('GpuFarmToken', farmToken, fn, args),
});

/** The farm token's compliance powers, each one agent call (the platform agent holds the roles). */
export const EnforcementCalls = {
  /** Freezes (or unfreezes) a whole wallet: it can neither send nor receive, nor claim revenue. */
  setWalletFrozen: (token: string, wallet: string, frozen: boolean): Call =>
    call(token, 'setWalletFrozen', [wallet, frozen]),
  /** Sets how much of a wallet's balance is frozen (0 frees it). */
  setFrozenTokens: (token: string, wallet: string, amount: bigint): Call =>
    call(token, 'setFrozenTokens', [wallet, amount]),
  /** Moves fractions between verified wallets whatever their freezes (never unfreezing anything). */
  forcedTransfer: (token: string, from: string, to: string, amount: bigint): Call =>
    call(token, 'forcedTransfer', [from, to, amount]),
  /** Moves a lost wallet's balance, freezes and claimed revenue to a new wallet of the same investor. */
  recoverWallet: (token: string, lostWallet: string, newWallet: string): Call =>
    call(token, 'recoverWallet', [lostWallet, newWallet]),
  pause: (token: string): Call => call(token, 'pause', []),
  unpause: (token: string): Call => call(token, 'unpause', []),
};
