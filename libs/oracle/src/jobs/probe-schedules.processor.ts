import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@gpu/config';
import { JobHandler, type JobHandlerOf, JobQueue } from '@gpu/queue';
import { epochOf } from '../epochs/epoch-math';
import { MONITORED_STATUS_SQL, PROBE_PLAN_PREFIX, probePlanId } from '../monitored-farms';

export interface ScheduleSync {
  started: number;
  changed: number;
  stopped: number;
}

/**
 * Keeps one repeating probe plan per monitored farm with GPUs, at the farm's interval, and none
 * for the others. A farm's first reported epoch is the first whole one after probing starts.
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
      const existing = current.get(id);
      current.delete(id);
      if (existing === everyMs) continue;
      await this.jobs.schedule('oracle.plan-probes', everyMs, { farmId: farm.id }, id);
      result[existing === undefined ? 'started' : 'changed']++;
    }
    for (const id of current.keys()) {
      await this.jobs.unschedule('oracle.plan-probes', id);
      result.stopped++;
    }
    return result;
  }
}
