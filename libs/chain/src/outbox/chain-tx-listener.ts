import { SetMetadata } from '@nestjs/common';
import type { ChainTxOutcome } from './chain-outbox.service';

export const CHAIN_TX_LISTENER_METADATA = 'gpu:chain-tx-listener';

/** Marks a provider as the listener of a topic: told once (at least once) of each final outcome. */
export const ChainTxListener = (topic: string): ClassDecorator =>
  SetMetadata(CHAIN_TX_LISTENER_METADATA, topic);

export interface ChainTxListenerOf {
  /** Must be idempotent: a crash between telling and recording it tells again. */
  onOutcome(outcome: ChainTxOutcome): Promise<void>;
}
