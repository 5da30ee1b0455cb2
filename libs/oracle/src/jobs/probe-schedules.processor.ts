import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@gpu/config';
import { JobHandler, type JobHandlerOf, JobQueue } from '@gpu/queue';
import { epochOf, planLeadMs, slotStart } from '../epochs/epoch-math';
import { MONITORED_STATUS_SQL, PROBE_PLAN_PREFIX, probePlanId } from '../monitored-farms';

export interface ScheduleSync {
  started: number;
  changed: number;
  stopped: number;
}

/**
 * Keeps one repeating probe plan per monitored farm with GPUs, at the farm's interval and
 * ORACLE_PLAN_LEAD_SECONDS before each slot, and none for the others. A farm's first reported
 * epoch is the first whole one after probing starts.
 */
@Injectable()
@JobHandler('oracle.sync-schedules')
export class ProbeSchedulesProcessor
  implements JobHandlerOf<'oracle.sync-schedules'>, OnApplicationBootstrap
{
  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.schedule(
      'oracle.sync-schedules',
      this.config.ORACLE_EPOCH_CHECK_INTERVAL_MS,
      {},
    );
  }

  async handle(): Promise<ScheduleSync> {
    const farms: { id: string; interval: number }[] = await this.dataSource.query(
      `SELECT f.id, f.probe_interval_seconds AS interval FROM farm f
        WHERE f.status IN ${MONITORED_STATUS_SQL}
          AND EXISTS (SELECT 1 FROM gpu_node n WHERE n.farm_id = f.id)`,
    );
    const now = new Date();
    await this.dataSource.query(
      `INSERT INTO monitored_farm (farm_id, since, first_epoch)
        SELECT id, $2, $3 FROM unnest($1::uuid[]) id ON CONFLICT (farm_id) DO NOTHING`,
      [
        farms.map((farm) => farm.id),
        now,
        (epochOf(now.getTime() / 1000, this.config.ORACLE_EPOCH_SECONDS) + 1n).toString(),
      ],
    );
    const current = await this.jobs.schedules('oracle.plan-probes', PROBE_PLAN_PREFIX);
    const result: ScheduleSync = { started: 0, changed: 0, stopped: 0 };
    for (const farm of farms) {
      const id = probePlanId(farm.id);
      const everyMs = farm.interval * 1000;
      // The lead before each slot: see PlanProbesProcessor.
      const leadMs = planLeadMs(farm.interval, this.config.ORACLE_PLAN_LEAD_SECONDS);
      const existing = current.get(id);
      current.delete(id);
      if (existing?.everyMs === everyMs && existing.offsetMs === everyMs - leadMs) continue;
      // BullMQ keeps an updated scheduler's next run, and its runs follow from it: made anew, it
      // runs in line with the slots.
      if (existing) await this.jobs.unschedule('oracle.plan-probes', id);
      const plan = { farmId: farm.id, leadMs };
      await this.jobs.schedule('oracle.plan-probes', everyMs, plan, id, everyMs - leadMs);
      // Its first run is before the next slot, or the one after when that is less than the lead
      // away: this plan covers the slot under way and, then, the next.
      const slotAt = slotStart(Date.now(), farm.interval).toISOString();
      await this.jobs.enqueue('oracle.plan-probes', { ...plan, slotAt });
      result[existing === undefined ? 'started' : 'changed']++;
    }
    for (const id of current.keys()) {
      await this.jobs.unschedule('oracle.plan-probes', id);
      result.stopped++;
    }
    return result;
  }
}
