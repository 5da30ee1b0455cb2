import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '@gpu/config';
import {
  JobHandler,
  type JobHandlerOf,
  type JobPayloads,
  JobQueue,
  type ProbePayload,
} from '@gpu/queue';
import { planLeadMs, slotStart } from '../epochs/epoch-math';
import { MONITORED_STATUS_SQL } from '../monitored-farms';

/** A metrics endpoint and the GPUs it serves, as the database groups them. */
interface EndpointRow {
  url: string;
  gpus: ProbePayload['gpus'];
}

export interface PlannedSlots {
  /** Probes planned per slot. */
  probes: number;
  /** The slots planned (ISO), oldest first. */
  slots: string[];
}

/**
 * Adds a probe of each of the farm's metrics endpoints for a slot, as jobs delayed until the slot
 * starts; a probe must start within its slot, or, planned once its slot had started, within an
 * interval of its plan (late evidence rather than none). The farm's scheduler runs the plan `leadMs` (from
 * ORACLE_PLAN_LEAD_SECONDS, at most half the interval) before each slot, for that slot, so that
 * adding thousands of jobs does not hold up probing. A plan run late also plans the slot under
 * way and the next when its plan is due: BullMQ's next run of the scheduler is then the one
 * after (its runs catch up to the present, not run the missed ones). A plan given `slotAt` (the
 * schedule sync's, when a farm's scheduler is made) means that slot, one without the lead (a
 * scheduler of an earlier release) the slot it is due in. A slot already under way that has
 * samples of the farm was probed: it is not planned again. A probe's job id is its endpoint and
 * slot, so a slot planned again while its probes wait gets each once.
 */
@Injectable()
@JobHandler('oracle.plan-probes')
export class PlanProbesProcessor implements JobHandlerOf<'oracle.plan-probes'> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  async handle(plan: JobPayloads['oracle.plan-probes'], job: Job): Promise<PlannedSlots> {
    const [farm]: { interval: number }[] = await this.dataSource.query(
      `SELECT probe_interval_seconds AS interval FROM farm
        WHERE id = $1 AND status IN ${MONITORED_STATUS_SQL}`,
      [plan.farmId],
    );
    if (!farm) return { probes: 0, slots: [] };
    const intervalMs = farm.interval * 1000;
    const leadMs = plan.leadMs ?? planLeadMs(farm.interval, this.config.ORACLE_PLAN_LEAD_SECONDS);
    const meant = this.meantSlot(plan, job, farm.interval, leadMs);
    const now = Date.now();
    const slots: number[] = [];
    const last = Math.max(meant, slotStart(now + leadMs, farm.interval).getTime());
    for (let slot = Math.max(meant, slotStart(now, farm.interval).getTime()); slot <= last;) {
      if (slot > now || !(await this.probed(plan.farmId, slot))) slots.push(slot);
      slot += intervalMs;
    }
    if (slots.length === 0) return { probes: 0, slots: [] };
    const endpoints: EndpointRow[] = await this.dataSource.query(
      `SELECT metrics_url AS url,
          json_agg(json_build_object('id', id, 'uuid', gpu_uuid, 'model', gpu_model)
            ORDER BY gpu_uuid) AS gpus
        FROM gpu_node WHERE farm_id = $1 GROUP BY metrics_url ORDER BY metrics_url`,
      [plan.farmId],
    );
    const endpointIds = endpoints.map(({ url }) =>
      createHash('sha256').update(url).digest('hex').slice(0, 16),
    );
    for (const slotAt of slots) {
      await this.jobs.enqueueMany(
        'oracle.probe',
        endpoints.map(({ url, gpus }, i) => ({
          jobId: `probe.${plan.farmId}.${endpointIds[i]}.${slotAt / 1000}`,
          payload: {
            farmId: plan.farmId,
            url,
            slotAt: new Date(slotAt).toISOString(),
            startBy: new Date(Math.max(slotAt, now) + intervalMs).toISOString(),
            gpus,
          },
        })),
        slotAt,
      );
    }
    return {
      probes: endpoints.length,
      slots: slots.map((slotAt) => new Date(slotAt).toISOString()),
    };
  }

  /** The slot (ms since 1970) a run is meant for, however late it runs. */
  private meantSlot(
    plan: JobPayloads['oracle.plan-probes'],
    job: Job,
    intervalSeconds: number,
    leadMs: number,
  ): number {
    if (plan.slotAt !== undefined) {
      return slotStart(Date.parse(plan.slotAt), intervalSeconds).getTime();
    }
    const dueAt = job.timestamp + (job.opts.delay ?? 0);
    const ahead = dueAt + leadMs;
    return slotStart(
      ahead % (intervalSeconds * 1000) === 0 ? ahead : dueAt,
      intervalSeconds,
    ).getTime();
  }

  /** Whether the farm has a sample of the slot: it was planned and its probes ran. */
  private async probed(farmId: string, slotAt: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM gpu_sample WHERE farm_id = $1 AND slot_at = $2 LIMIT 1`,
      [farmId, new Date(slotAt)],
    );
    return rows.length > 0;
  }
}
