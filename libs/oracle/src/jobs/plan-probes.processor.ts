import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '@gpu/config';
import { JobHandler, type JobHandlerOf, JobQueue, type ProbePayload } from '@gpu/queue';
import { probesDueAt, slotStart } from '../epochs/epoch-math';
import { MONITORED_STATUS_SQL } from '../monitored-farms';

/** A metrics endpoint and the GPUs it serves, as the database groups them. */
interface EndpointRow {
  url: string;
  gpus: ProbePayload['gpus'];
}

/**
 * Adds the probe of each of the farm's metrics endpoints for the slot its probes are due in, as
 * jobs delayed until then: the plan runs ahead so that adding the jobs does not hold up probing.
 * A probe's job id is its endpoint and slot, so a plan run twice for a slot (or by two workers)
 * adds each probe once.
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
    { farmId }: { farmId: string },
    job: Job,
  ): Promise<{ probes: number; slotAt?: string; dueAt?: string }> {
    const [farm]: { interval: number }[] = await this.dataSource.query(
      `SELECT probe_interval_seconds AS interval FROM farm
        WHERE id = $1 AND status IN ${MONITORED_STATUS_SQL}`,
      [farmId],
    );
    if (!farm) return { probes: 0 };
    // The slot the run was scheduled for, however late it runs.
    const dueAt = probesDueAt(
      job.timestamp + (job.opts.delay ?? 0),
      farm.interval,
      this.config.ORACLE_PLAN_LEAD_SECONDS,
    );
    const slotAt = slotStart(dueAt, farm.interval);
    const endpoints: EndpointRow[] = await this.dataSource.query(
      `SELECT metrics_url AS url,
          json_agg(json_build_object('id', id, 'uuid', gpu_uuid, 'model', gpu_model)
            ORDER BY gpu_uuid) AS gpus
        FROM gpu_node WHERE farm_id = $1 GROUP BY metrics_url ORDER BY metrics_url`,
      [farmId],
    );
    const slot = slotAt.getTime() / 1000;
    await this.jobs.enqueueMany(
      'oracle.probe',
      endpoints.map(({ url, gpus }) => ({
        jobId: `probe.${farmId}.${createHash('sha256').update(url).digest('hex').slice(0, 16)}.${slot}`,
        payload: {
          farmId,
          url,
          slotAt: slotAt.toISOString(),
          startBy: new Date(dueAt + farm.interval * 1000).toISOString(),
          gpus,
        },
      })),
      dueAt - Date.now(),
    );
    return {
      probes: endpoints.length,
      slotAt: slotAt.toISOString(),
      dueAt: new Date(dueAt).toISOString(),
    };
  }
}
