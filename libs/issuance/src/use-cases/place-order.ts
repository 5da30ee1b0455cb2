import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError } from '@gpu/common';
import { IssuanceError } from '../issuance.errors';
import type { OrderView } from '../order-view';
import { ReservationBatcher, type StoredResponse } from './reservation-batcher';

export interface PlaceOrderCommand {
  investorId: string;
  offeringId: string;
  fractions: bigint;
  /** The paying and receiving wallet; may be left out by an investor with one linked wallet. */
  wallet?: string;
  idempotencyKey: string;
}

export interface PlacedOrder {
  order: OrderView;
  /** True when this is the stored response to an earlier request with the same key. */
  replayed: boolean;
}

/**
 * Places an investor's order: it joins its offering's next reservation batch, where every rule
 * is checked and the fractions reserved (ReservationBatcher). Refusals are remembered under the
 * key as well: a replay gets the first answer, the same key with another request is 422.
 */
@Injectable()
export class PlaceOrder {
  constructor(private readonly batcher: ReservationBatcher) {}

  async execute(command: PlaceOrderCommand): Promise<PlacedOrder> {
    const requestHash = createHash('sha256')
      .update(
        JSON.stringify([
          command.offeringId,
          command.fractions.toString(),
          command.wallet?.toLowerCase() ?? null,
        ]),
      )
      .digest('hex');
    const outcome = await this.batcher.submit({ ...command, requestHash });
    if ('replay' in outcome) return replayOf(outcome.replay, requestHash);
    if ('refusal' in outcome) throw outcome.refusal;
    return { order: outcome.order, replayed: false };
  }
}

/** The stored first answer to the key: the order again, or the refusal again; another request is 422. */
function replayOf(stored: StoredResponse, requestHash: string): PlacedOrder {
  if (stored.requestHash !== requestHash) throw IssuanceError.idempotencyKeyMismatch();
  if (stored.statusCode === 201) return { order: stored.response as OrderView, replayed: true };
  const refusal = stored.response as {
    code: string;
    kind: DomainError['kind'];
    message: string;
    details: Record<string, unknown> | null;
  };
  throw new DomainError(refusal.code, refusal.kind, refusal.message, refusal.details ?? undefined);
}
