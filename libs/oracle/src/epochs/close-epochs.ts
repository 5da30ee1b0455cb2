import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Wallet } from 'ethers';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditLog, WORKER_ACTOR } from '@gpu/audit';
import {
  ChainOutbox,
  chainFarmId,
  DEPLOYMENT,
  type Deployment,
  signUptimeReport,
  submitUptimeReportCall,
  type UptimeReport,
  uptimeOracleDomain,
  uptimeReportDigest,
} from '@gpu/chain';
import { safeErrorMessage } from '@gpu/common';
import { AppConfig } from '@gpu/config';
import { Farm } from '@gpu/farms';
import { GpuEpoch } from '../entities/gpu-epoch.entity';
import { UptimeEpoch } from '../entities/uptime-epoch.entity';
import { MONITORED_STATUS_SQL } from '../monitored-farms';
import { REPORTER_WALLETS, UPTIME_REPORT_TOPIC } from '../oracle.tokens';
import { epochSamplesHash } from '../samples/sample-export';
import { FARM_SAMPLES_LOCK_SQL } from '../samples/sample-writer';
import {
  epochBounds,
  epochFigures,
  epochOf,
  type GpuTally,
  revenueOf,
  slotsBetween,
} from './epoch-math';

/** Epochs one round reports at most per farm (a farm catching up after an outage). */
const MAX_EPOCHS_PER_ROUND = 24;

export interface CloseRound {
  reported: number;
  breaches: number;
  /** Farms whose epochs could not be reported this round. */
  failed: number;
}

/**
 * Reports every ended epoch of every monitored farm, in order and without gaps (the oracle
 * contract takes a farm's epochs one after the other): figures from the samples, the SLA verdict,
 * the reporters' EIP-712 signatures, and UptimeOracle.submitReport through the outbox, in one
 * transaction per epoch that holds the farm's samples lock, so no sample enters a reported epoch.
 */
@Injectable()
export class CloseEpochs {
  private readonly logger = new Logger(CloseEpochs.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: ChainOutbox,
    private readonly audit: AuditLog,
    private readonly config: AppConfig,
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
    @Inject(REPORTER_WALLETS) private readonly reporters: Wallet[],
  ) {}

  async execute(now = new Date()): Promise<CloseRound> {
    const farms: { id: string; next: string; interval: number; failed: string | null }[] =
      await this.dataSource.query(
        `SELECT m.farm_id AS id, f.probe_interval_seconds AS interval,
            coalesce((SELECT max(e.epoch) + 1 FROM uptime_epoch e WHERE e.farm_id = m.farm_id),
              m.first_epoch)::text AS next,
            (SELECT min(e.epoch)::text FROM uptime_epoch e
              WHERE e.farm_id = m.farm_id AND e.status = 'failed') AS failed
          FROM monitored_farm m JOIN farm f ON f.id = m.farm_id
          WHERE f.status IN ${MONITORED_STATUS_SQL} ORDER BY m.farm_id`,
      );
    const round: CloseRound = { reported: 0, breaches: 0, failed: 0 };
    for (const farm of farms) {
      if (farm.failed !== null) {
        // The contract takes a farm's epochs in order: nothing after a refused report can land.
        this.logger.error(
          `farm ${farm.id}: the report of epoch ${farm.failed} was refused on chain; later epochs wait`,
        );
        round.failed++;
        continue;
      }
      try {
        await this.closeEnded(farm, now, round);
      } catch (error) {
        this.logger.error(`farm ${farm.id}: epoch not reported: ${safeErrorMessage(error)}`);
        round.failed++;
      }
    }
    return round;
  }

  private async closeEnded(
    farm: { id: string; next: string; interval: number },
    now: Date,
    round: CloseRound,
  ): Promise<void> {
    // The last slot's probes get a probe interval and a timeout to land before the close.
    const graceSeconds = farm.interval + this.config.ORACLE_PROBE_TIMEOUT_MS / 1000;
    const closable = epochOf(now.getTime() / 1000 - graceSeconds, this.config.ORACLE_EPOCH_SECONDS);
    let epoch = BigInt(farm.next);
    for (let n = 0; epoch < closable && n < MAX_EPOCHS_PER_ROUND; epoch++, n++) {
      const report = await this.close(farm.id, epoch);
      if (!report) return;
      round.reported++;
      if (!report.slaMet) round.breaches++;
    }
  }

  private close(farmId: string, epoch: bigint): Promise<UptimeEpoch | null> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(${FARM_SAMPLES_LOCK_SQL})`, [farmId]);
      if (await manager.existsBy(UptimeEpoch, { farmId, epoch })) return null;
      const farm = await manager.findOneByOrFail(Farm, { id: farmId });
      const { startsAt, endsAt } = epochBounds(epoch, this.config.ORACLE_EPOCH_SECONDS);
      const interval = farm.probeIntervalSeconds;
      const slots = slotsBetween(startsAt, endsAt, interval);
      const tallies = await this.tallies(manager, farmId, startsAt, endsAt);
      const figures = epochFigures(tallies, slots, interval);
      const { hash, samples } = await epochSamplesHash(manager, farmId, startsAt, endsAt);
      const report: UptimeReport = {
        farmId: chainFarmId(farmId),
        epoch,
        uptimeBps: figures.uptimeBps,
        gpuHoursAvailable: figures.gpuHoursAvailable,
        gpuHoursUsed: figures.gpuHoursUsed,
        revenue: revenueOf(figures.gpuHoursUsed, farm.ratePerGpuHour),
        samplesHash: hash,
      };
      const domain = uptimeOracleDomain(
        this.deployment.chainId,
        this.deployment.contracts.UptimeOracle.address,
      );
      const signatures = await signUptimeReport(report, this.reporters, domain);
      const slaMet = figures.uptimeBps >= farm.slaUptimeBps;
      const row = manager.create(UptimeEpoch, {
        farmId,
        epoch,
        startsAt,
        endsAt,
        probeIntervalSeconds: interval,
        gpus: tallies.length,
        expectedSamples: figures.expectedSamples,
        sampleCount: samples,
        upSamples: figures.upSamples,
        uptimeBps: figures.uptimeBps,
        gpuHoursAvailable: figures.gpuHoursAvailable,
        gpuHoursUsed: figures.gpuHoursUsed,
        revenue: report.revenue,
        ratePerGpuHour: farm.ratePerGpuHour,
        slaUptimeBps: farm.slaUptimeBps,
        slaMet,
        samplesHash: hash,
        digest: uptimeReportDigest(report, domain),
        signatures: signatures.map((signature, i) => ({
          signer: sortedAddresses(this.reporters)[i],
          signature,
        })),
        status: 'signed',
        chainTxId: null,
        txHash: null,
        failure: null,
      });
      await manager.save(row);
      await this.saveGpuEpochs(manager, farmId, epoch, tallies, slots, interval);
      const tx = await this.outbox.enqueue(manager, {
        ...submitUptimeReportCall(this.deployment, report, signatures),
        reference: `uptime-epoch:${row.id}`,
        idempotencyKey: `uptime-report-${farmId}-${epoch}`,
        topic: UPTIME_REPORT_TOPIC,
      });
      await manager.update(UptimeEpoch, { id: row.id }, { status: 'submitted', chainTxId: tx.id });
      if (!slaMet) await this.flagBreach(manager, farm, row);
      return row;
    });
  }

  private async tallies(
    manager: EntityManager,
    farmId: string,
    startsAt: Date,
    endsAt: Date,
  ): Promise<GpuTally[]> {
    const rows: { id: string; up: number; utilization: string }[] = await manager.query(
      `SELECT n.id, count(s.*) FILTER (WHERE s.up)::int AS up,
          coalesce(sum(s.utilization) FILTER (WHERE s.up), 0)::text AS utilization
        FROM gpu_node n
        LEFT JOIN gpu_sample s ON s.gpu_node_id = n.id AND s.slot_at >= $2 AND s.slot_at < $3
        WHERE n.farm_id = $1 GROUP BY n.id ORDER BY n.id`,
      [farmId, startsAt, endsAt],
    );
    return rows.map((row) => ({
      gpuNodeId: row.id,
      upSamples: row.up,
      utilizationSum: Number(row.utilization),
    }));
  }

  private async saveGpuEpochs(
    manager: EntityManager,
    farmId: string,
    epoch: bigint,
    tallies: GpuTally[],
    slots: number,
    interval: number,
  ): Promise<void> {
    const rows = tallies.map((tally) => {
      const figures = epochFigures([tally], slots, interval);
      return manager.create(GpuEpoch, {
        gpuNodeId: tally.gpuNodeId,
        epoch,
        farmId,
        expectedSamples: figures.expectedSamples,
        upSamples: figures.upSamples,
        uptimeBps: figures.uptimeBps,
        gpuHoursAvailable: figures.gpuHoursAvailable,
        gpuHoursUsed: figures.gpuHoursUsed,
      });
    });
    for (let start = 0; start < rows.length; start += 1000) {
      await manager.insert(GpuEpoch, rows.slice(start, start + 1000));
    }
  }

  private async flagBreach(manager: EntityManager, farm: Farm, report: UptimeEpoch): Promise<void> {
    await manager.update(Farm, { id: farm.id }, { slaBreachEpoch: report.epoch });
    await this.audit.record(manager, WORKER_ACTOR, 'oracle.sla-breach', `farm:${farm.id}`, {
      epoch: report.epoch.toString(),
      uptimeBps: report.uptimeBps,
      slaUptimeBps: report.slaUptimeBps,
      samplesHash: report.samplesHash,
    });
    this.logger.warn(
      `farm ${farm.id} epoch ${report.epoch}: uptime ${report.uptimeBps} bps under its SLA of ${report.slaUptimeBps}`,
    );
  }
}

function sortedAddresses(wallets: readonly Wallet[]): string[] {
  return wallets.map((wallet) => wallet.address).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
}
