import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  approveStablecoinCall,
  type ChainIntent,
  ChainOutbox,
  type ChainTx,
  DEPLOYMENT,
  type Deployment,
  publishRevenueRootCall,
} from '@gpu/chain';
import { Distribution } from '../entities/distribution.entity';
import { DISTRIBUTION_PUBLISH_TOPIC } from '../distribution.tokens';

type Publishable = Pick<
  Distribution,
  'id' | 'token' | 'epoch' | 'root' | 'totalCumulative' | 'funding'
>;

/**
 * The platform-lane transactions that publish a distribution, in order (one lane): the stablecoin
 * allowance for its funding, then `publishRevenueRoot`, which pulls it. A later attempt first sets
 * the allowance an earlier one may have left back to 0, as USDT-like tokens demand.
 */
export function publishIntents(
  deployment: Deployment,
  distribution: Publishable,
  attempt: number,
): ChainIntent[] {
  const { id, token, epoch, root, totalCumulative, funding } = distribution;
  if (root === null || totalCumulative === null || funding === null) {
    throw new Error(`distribution ${id} is not computed`);
  }
  const reference = `distribution:${id}`;
  const reset: ChainIntent[] =
    attempt > 1
      ? [
          {
            ...approveStablecoinCall(deployment, token, 0n),
            reference,
            idempotencyKey: `${reference}:approve-reset:${attempt}`,
          },
        ]
      : [];
  return [
    ...reset,
    {
      ...approveStablecoinCall(deployment, token, funding),
      reference,
      idempotencyKey: `${reference}:approve:${attempt}`,
    },
    {
      ...publishRevenueRootCall(token, epoch, root, totalCumulative),
      reference,
      idempotencyKey: `${reference}:publish:${attempt}`,
      topic: DISTRIBUTION_PUBLISH_TOPIC,
    },
  ];
}

const MAX_UINT32 = (1n << 32n) - 1n;

/** Puts a computed distribution's publication (attempt n + 1) in the outbox, in the caller's transaction. */
@Injectable()
export class DistributionPublisher {
  constructor(
    private readonly outbox: ChainOutbox,
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
  ) {}

  async enqueue(manager: EntityManager, distribution: Distribution): Promise<void> {
    if (distribution.epoch > MAX_UINT32) throw new RangeError('the epoch exceeds uint32');
    const attempt = distribution.publishAttempts + 1;
    const txs: ChainTx[] = [];
    for (const intent of publishIntents(this.deployment, distribution, attempt)) {
      txs.push(await this.outbox.enqueue(manager, intent));
    }
    // The last one publishes: its outcome is the distribution's.
    const publish = txs[txs.length - 1];
    await manager.update(
      Distribution,
      { id: distribution.id },
      {
        publishAttempts: attempt,
        publishTxId: publish.id,
        publishFailure: null,
        publishTxHash: null,
      },
    );
  }
}
