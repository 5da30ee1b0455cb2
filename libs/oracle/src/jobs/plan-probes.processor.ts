import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '@gpu/config';
import { JobHandler, type JobHandlerOf, JobQueue, type ProbePayload } from '@gpu/queue';
import { planLeadMs, slotStart } from '../epochs/epoch-math';
import { MONITORED_STATUS_SQL } from '../monitored-farms';

/** A metrics endpoint and the GPUs it serves, as the database groups them. */
interface EndpointRow {
  url: string;
  gpus: ProbePayload['gpus'];
}

export interface PlannedSlot {
  probes: number;
  /** The slot planned; none when the farm is no longer monitored or the slot is over. */
  slotAt?: string;
}

/**
 * Adds a probe of each of the farm's metrics endpoints for one slot, as jobs delayed until the
 * slot starts; a probe must start within its slot. The farm's scheduler runs the plan
 * ORACLE_PLAN_LEAD_SECONDS (at most half the interval) before each slot, for that slot, so that
 * adding thousands of jobs does not hold up probing. A plan given `slotAt` (added when a farm's
 * schedule starts or changes) plans that slot; a scheduled run that is not ahead of a slot (a
 * scheduler of an earlier release) plans the slot it is due in. A probe's job id is its endpoint
 * and slot, so a slot planned twice (or by two workers) gets each probe once.
 */
@Injectable()
@JobHandler('oracle.plan-probes')
export class PlanProbesProcessor implements JobHandlerOf<'oracle.plan-probes'> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  async handle(
    { farmId, slotAt: given }: { farmId: string; slotAt?: string },
    job: Job,
  ): Promise<PlannedSlot> {
    const [farm]: { interval: number }[] = await this.dataSource.query(
      `SELECT probe_interval_seconds AS interval FROM farm
        WHERE id = $1 AND status IN ${MONITORED_STATUS_SQL}`,
      [farmId],
    );
    if (!farm) return { probes: 0 };
    const slotAt = this.slotOf(job, farm.interval, given);
    const slotEnd = slotAt + farm.interval * 1000;
    if (Date.now() >= slotEnd) return { probes: 0 };
    const endpoints: EndpointRow[] = await this.dataSource.query(
      `SELECT metrics_url AS url,
          json_agg(json_build_object('id', id, 'uuid', gpu_uuid, 'model', gpu_model)
            ORDER BY gpu_uuid) AS gpus
        FROM gpu_node WHERE farm_id = $1 GROUP BY metrics_url ORDER BY metrics_url`,
      [farmId],
    );
    const slot = slotAt / 1000;
    await this.jobs.enqueueMany(
      'oracle.probe',
      endpoints.map(({ url, gpus }) => ({
        jobId: `probe.${farmId}.${createHash('sha256').update(url).digest('hex').slice(0, 16)}.${slot}`,
        payload: {
          farmId,
          url,
          slotAt: new Date(slotAt).toISOString(),
          startBy: new Date(slotEnd).toISOString(),
          gpus,
        },
      })),
      slotAt,
    );
    return { probes: endpoints.length, slotAt: new Date(slotAt).toISOString() };
  }

  /** The slot (ms since 1970) a run plans, however late it runs. */
  private slotOf(job: Job, intervalSeconds: number, given: string | undefined): number {
    if (given !== undefined) return slotStart(Date.parse(given), intervalSeconds).getTime();
    const dueAt = job.timestamp + (job.opts.delay ?? 0);
    const ahead = dueAt + planLeadMs(intervalSeconds, this.config.ORACLE_PLAN_LEAD_SECONDS);
    return slotStart(
      ahead % (intervalSeconds * 1000) === 0 ? ahead : dueAt,
      intervalSeconds,
    ).getTime();
  }
}
