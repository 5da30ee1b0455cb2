import type { Deployment } from '../deployment/deployment';
import { GpuFarmToken__factory, MockStablecoin__factory } from '../generated';
import { type ChainIntent, encodeCall } from '../outbox/chain-intent';

const farmToken = GpuFarmToken__factory.createInterface();
// Only the ERC-20 `approve` of the stablecoin is used: the mock's ABI is the standard one there.
const stablecoin = MockStablecoin__factory.createInterface();

type Call = Pick<ChainIntent, 'to' | 'method' | 'data'>;

/** `Stablecoin.approve(spender, amount)`: lets a farm token pull a revenue root's funding. */
export function approveStablecoinCall(
  deployment: Deployment,
  spender: string,
  amount: bigint,
): Call {
  return {
    to: deployment.contracts.Stablecoin.address,
    ...encodeCall('Stablecoin', stablecoin, 'approve', [spender, amount]),
  };
}

/** `GpuFarmToken.publishRevenueRoot(epoch, root, totalCumulative)`: publishes and funds the root. */
export function publishRevenueRootCall(
  token: string,
  epoch: bigint,
  root: string,
  totalCumulative: bigint,
): Call {
  return {
    to: token,
    ...encodeCall('GpuFarmToken', farmToken, 'publishRevenueRoot', [epoch, root, totalCumulative]),
  };
}
