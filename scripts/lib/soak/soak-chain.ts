import { type HDNodeWallet, type JsonRpcProvider, Wallet, parseEther } from 'ethers';
import { waitForReceipt } from '@gpu/chain';
import { MockStablecoin__factory } from '../../../libs/chain/src/generated';

/**
 * The world outside the platform, on the chain: investors' own wallets and the stablecoin's
 * issuer. They talk to the node directly, not through the RPC endpoint the chaos loop cuts.
 */
export class SoakChain {
  private issuerQueue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly provider: JsonRpcProvider,
    private readonly issuer: Wallet,
    readonly stablecoinAddress: string,
  ) {}

  /** A new wallet with gas money. */
  async newWallet(): Promise<HDNodeWallet> {
    const wallet = Wallet.createRandom(this.provider);
    await this.provider.send('anvil_setBalance', [
      wallet.address,
      `0x${parseEther('100').toString(16)}`,
    ]);
    return wallet;
  }

  /** Stablecoins for `to`: minted by the issuer, one transaction at a time (one nonce sequence). */
  mintStablecoin(to: string, amount: bigint): Promise<void> {
    const minted = this.issuerQueue.then(async () => {
      const coin = MockStablecoin__factory.connect(this.stablecoinAddress, this.issuer);
      await waitForReceipt(this.provider, (await coin.mint(to, amount)).hash);
    });
    this.issuerQueue = minted.catch(() => undefined);
    return minted;
  }
}
