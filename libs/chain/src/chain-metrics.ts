import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsRegistry } from '@gpu/observability';
import { ChainStatusService } from './chain-status.service';

/** The chain pipeline's health as Prometheus gauges, read from the database at scrape time. */
@Injectable()
export class ChainMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly status: ChainStatusService,
  ) {}

  onModuleInit(): void {
    const registers = [this.metrics.registry];
    const status = this.status;
    new Gauge({
      name: 'gpu_chain_outbox_transactions',
      help: 'Outbox transactions not yet final, by state',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        const depth = await status.outbox();
        for (const [state, count] of Object.entries(depth.byState)) this.set({ state }, count);
      },
    });
    new Gauge({
      name: 'gpu_chain_outbox_oldest_pending_seconds',
      help: 'Age of the oldest outbox transaction not yet final (0 when none)',
      registers,
      async collect() {
        this.set((await status.outbox()).oldestPendingSeconds);
      },
    });
    new Gauge({
      name: 'gpu_chain_indexer_lag_blocks',
      help: 'Final blocks the indexer has not read yet',
      registers,
      async collect() {
        const lag = (await status.indexer()).lagBlocks;
        if (lag !== null) this.set(lag);
      },
    });
    new Gauge({
      name: 'gpu_chain_reconciliation_age_seconds',
      help: 'Seconds since the last reconciliation finished: a run that keeps failing shows here',
      registers,
      async collect() {
        const run = await status.latestReconciliation();
        if (run) this.set((Date.now() - run.finishedAt.getTime()) / 1000);
      },
    });
    new Gauge({
      name: 'gpu_chain_reconciliation_mismatches',
      help: 'Differences between indexed and on-chain balances and supplies, at the last reconciliation',
      registers,
      async collect() {
        const run = await status.latestReconciliation();
        if (run) this.set(run.mismatchCount);
      },
    });
  }
}
