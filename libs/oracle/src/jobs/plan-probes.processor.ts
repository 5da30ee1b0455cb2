import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { JobHandler, type JobHandlerOf, JobQueue, type ProbePayload } from '@gpu/queue';
import { slotStart } from '../epochs/epoch-math';
import { MONITORED_STATUS_SQL } from '../monitored-farms';

interface GpuRow {
  id: string;
  uuid: string;
  model: string;
  url: string;
}

/**
 * Adds the current slot's probe of each of the farm's metrics endpoints. A probe's job id is its
 * endpoint and slot, so a plan run twice in a slot (or by two workers) adds each probe once.
 */
@Injectable()
@JobHandler('oracle.plan-probes')
export class PlanProbesProcessor implements JobHandlerOf<'oracle.plan-probes'> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobQueue,
  ) {}

  async handle(
    { farmId }: { farmId: string },
    job: Job,
  ): Promise<{ probes: number; slotAt?: string }> {
    const [farm]: { interval: number }[] = await this.dataSource.query(
      `SELECT probe_interval_seconds AS interval FROM farm
        WHERE id = $1 AND status IN ${MONITORED_STATUS_SQL}`,
      [farmId],
    );
    if (!farm) return { probes: 0 };
    // The slot the run was scheduled for, however late it runs.
    const dueAt = job.timestamp + (job.opts.delay ?? 0);
    const slotAt = slotStart(dueAt, farm.interval);
    const gpus: GpuRow[] = await this.dataSource.query(
      `SELECT id, gpu_uuid AS uuid, gpu_model AS model, metrics_url AS url FROM gpu_node
        WHERE farm_id = $1 ORDER BY metrics_url, gpu_uuid`,
      [farmId],
    );
    const byUrl = new Map<string, ProbePayload['gpus']>();
    for (const { id, uuid, model, url } of gpus) {
      const list = byUrl.get(url) ?? [];
      list.push({ id, uuid, model });
      byUrl.set(url, list);
    }
    const slot = slotAt.getTime() / 1000;
    await this.jobs.enqueueMany(
      'oracle.probe',
      [...byUrl].map(([url, endpointGpus]) => ({
        jobId: `probe.${farmId}.${createHash('sha256').update(url).digest('hex').slice(0, 16)}.${slot}`,
        payload: {
          farmId,
          url,
          slotAt: slotAt.toISOString(),
          startBy: new Date(dueAt + farm.interval * 1000).toISOString(),
          gpus: endpointGpus,
        },
      })),
    );
    return { probes: byUrl.size, slotAt: slotAt.toISOString() };
  }
}
