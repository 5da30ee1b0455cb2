import { HDNodeWallet, Mnemonic } from 'ethers';

/** The public mnemonic that anvil and hardhat fund on every local chain. Never for real funds. */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';
const DEV_KEY_COUNT = 10;

let cached: string[] | undefined;

/** The first ten private keys of the development mnemonic (m/44'/60'/0'/0/i). */
export function wellKnownDevPrivateKeys(): string[] {
  if (!cached) {
    const mnemonic = Mnemonic.fromPhrase(DEV_MNEMONIC);
    cached = Array.from(
      { length: DEV_KEY_COUNT },
      (_, i) => HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${i}`).privateKey,
    );
  }
  return cached;
}

export function isWellKnownDevKey(privateKey: string): boolean {
  const normalized = privateKey.toLowerCase().replace(/^0x/, '');
  return wellKnownDevPrivateKeys().some((key) => key.slice(2).toLowerCase() === normalized);
}

/** anvil accounts 7, 8 and 9: the uptime reporters on local chains. */
export function localReporterKeys(): string[] {
  return wellKnownDevPrivateKeys().slice(7, 10);
}
