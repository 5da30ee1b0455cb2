import { computeAddress, type JsonRpcProvider, toBeHex } from 'ethers';
import { wellKnownDevPrivateKeys } from '../../libs/config/src/dev-keys';
import type { Deployment } from '../../libs/chain/src/deployment/deployment';
import { MockStablecoin__factory } from '../../libs/chain/src/generated/factories/MockStablecoin__factory';
import { waitForReceipt } from '../../libs/chain/src/tx/wait-for-receipt';

const stablecoin = MockStablecoin__factory.createInterface();

let mints: Promise<unknown> = Promise.resolve();

/**
 * Gives `address` gas money and `amount` of the mock stablecoin. The mint is sent from the
 * deployer's unlocked anvil account with eth_sendTransaction (anvil picks the nonce), one at a
 * time in this process; another test process minting at the same moment may take the nonce, so
 * a nonce clash is retried.
 */
export async function fundWallet(
  provider: JsonRpcProvider,
  deployment: Deployment,
  address: string,
  amount: bigint,
): Promise<void> {
  await provider.send('anvil_setBalance', [address, toBeHex(10n ** 19n)]);
  const deployer = computeAddress(wellKnownDevPrivateKeys()[0]);
  const mint = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        const hash = await provider.send('eth_sendTransaction', [
          {
            from: deployer,
            to: deployment.contracts.Stablecoin.address,
            data: stablecoin.encodeFunctionData('mint', [address, amount]),
          },
        ]);
        await waitForReceipt(provider, hash as string);
        return;
      } catch (error) {
        if (attempt >= 5 || !/underpriced|nonce/i.test(String(error))) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  };
  const done = mints.then(mint, mint);
  mints = done.catch(() => undefined);
  await done;
}

export { type PaymentInstructions, payOrder } from '../../scripts/lib/pay-order';
