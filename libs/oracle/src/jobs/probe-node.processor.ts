import { Injectable } from '@nestjs/common';
import { AppConfig } from '@gpu/config';
import { JobHandler, type JobHandlerOf, type ProbePayload } from '@gpu/queue';
import { fetchMetrics } from '../probe/fetch-metrics';
import { judgeNode } from '../probe/judge-node';
import { KeyedLimiter } from '../probe/keyed-limiter';
import { SampleWriter } from '../samples/sample-writer';

export interface ProbeResult {
  up: number;
  down: number;
  /** Set when the probe ran too late for its slot and was not made. */
  skipped?: 'late';
}

/**
 * Probes one metrics endpoint for one slot: at most ORACLE_FARM_PROBE_CONCURRENCY of a farm at
 * once (the queue's concurrency caps all farms together), then a sample per GPU, written in a
 * batch with other probes' samples. The job completes once its samples are committed.
 */
@Injectable()
@JobHandler('oracle.probe')
export class ProbeNodeProcessor implements JobHandlerOf<'oracle.probe'> {
  private readonly perFarm: KeyedLimiter;

  constructor(
    private readonly writer: SampleWriter,
    private readonly config: AppConfig,
  ) {
    this.perFarm = new KeyedLimiter(config.ORACLE_FARM_PROBE_CONCURRENCY);
  }

  async handle(probe: ProbePayload): Promise<ProbeResult> {
    // A probe still queued after its slot (see PlanProbesProcessor) would only add to a backlog.
    if (Date.now() > Date.parse(probe.startBy)) {
      return { up: 0, down: 0, skipped: 'late' };
    }
    const outcome = await this.perFarm.run(probe.farmId, () =>
      fetchMetrics(probe.url, {
        timeoutMs: this.config.ORACLE_PROBE_TIMEOUT_MS,
        maxBytes: this.config.ORACLE_METRICS_MAX_BYTES,
      }),
    );
    const probedAt = new Date();
    const verdicts = judgeNode(
      probe.gpus,
      outcome,
      this.config.ORACLE_METRICS_MAX_AGE_SECONDS * 1000,
    );
    const slotAt = new Date(probe.slotAt);
    await this.writer.write(
      verdicts.map((verdict) => Object.assign(verdict, { farmId: probe.farmId, slotAt, probedAt })),
    );
    const up = verdicts.filter((verdict) => verdict.up).length;
    return { up, down: verdicts.length - up };
  }
}
