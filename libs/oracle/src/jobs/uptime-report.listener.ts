import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ChainTxListener, type ChainTxListenerOf, type ChainTxOutcome } from '@gpu/chain';
import { UptimeEpoch } from '../entities/uptime-epoch.entity';
import { UPTIME_REPORT_TOPIC } from '../oracle.tokens';

/** Records whether the oracle contract accepted an epoch's report. */
@Injectable()
@ChainTxListener(UPTIME_REPORT_TOPIC)
export class UptimeReportListener implements ChainTxListenerOf {
  constructor(private readonly dataSource: DataSource) {}

  async onOutcome(outcome: ChainTxOutcome): Promise<void> {
    const confirmed = outcome.state === 'confirmed';
    await this.dataSource.getRepository(UptimeEpoch).update(
      { chainTxId: outcome.id, status: 'submitted' },
      {
        status: confirmed ? 'accepted' : 'failed',
        txHash: outcome.txHash,
        failure: confirmed ? null : outcome.failureReason,
      },
    );
  }
}
