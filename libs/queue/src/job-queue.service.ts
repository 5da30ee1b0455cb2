import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import type IORedis from 'ioredis';
import { AppConfig } from '@gpu/config';
import { JOB_CATALOG, JobName, JobPayloads, QueueName } from './job-catalog';
import { createRedisConnection } from './redis-connection';

/** How often a repeating job runs, and how long after each multiple of the period since 1970. */
export interface Repeat {
  everyMs: number;
  offsetMs: number;
}

/** Enqueues and schedules jobs by name; the catalog decides the queue and retry policy. */
@Injectable()
export class JobQueue implements OnApplicationShutdown {
  private readonly logger = new Logger(JobQueue.name);
  private readonly queues = new Map<QueueName, Queue>();
  private connection?: IORedis;

  constructor(private readonly config: AppConfig) {}

  /** Adds a job. A `jobId` from the business key makes a second add of the same job a no-op. */
  async enqueue<N extends JobName>(
    name: N,
    payload: JobPayloads[N],
    options: Pick<JobsOptions, 'jobId' | 'delay'> = {},
  ): Promise<void> {
    const definition = JOB_CATALOG[name];
    await this.queue(definition.queue).add(name, payload, { ...definition.options, ...options });
  }

  /**
   * Makes sure the job `jobId` is waiting, delayed or running. Adds it when Redis does not have it
   * (never added, or lost: Redis lost its data, or the producer died before adding it), runs it
   * again when it completed (callers ask only while its effect is not recorded, so the record was
   * lost with a crash), and when it failed for good `retryFailedAfterMs` ago.
   */
  async ensure<N extends JobName>(
    name: N,
    payload: JobPayloads[N],
    jobId: string,
    retryFailedAfterMs: number,
  ): Promise<'added' | 'kept'> {
    const definition = JOB_CATALOG[name];
    const queue = this.queue(definition.queue);
    const job = await queue.getJob(jobId);
    if (job) {
      const state = await job.getState();
      if (state === 'failed' && Date.now() - (job.finishedOn ?? 0) < retryFailedAfterMs)
        return 'kept';
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return 'kept';
      // Trimmed by retention or removed by another process meanwhile: adding is all that is left.
      await job.remove().catch(() => undefined);
    }
    await queue.add(name, payload, { ...definition.options, jobId });
    return 'added';
  }

  /**
   * Adds many jobs of one name in one round trip, to run at `runAt` (ms since 1970; at once when
   * that has passed or is not given); each `jobId` makes its add idempotent.
   */
  async enqueueMany<N extends JobName>(
    name: N,
    jobs: readonly { payload: JobPayloads[N]; jobId: string }[],
    runAt?: number,
  ): Promise<void> {
    if (jobs.length === 0) return;
    const definition = JOB_CATALOG[name];
    const now = Date.now();
    const delay = runAt !== undefined && runAt > now ? { timestamp: now, delay: runAt - now } : {};
    await this.queue(definition.queue).addBulk(
      jobs.map(({ payload, jobId }) => ({
        name,
        data: payload,
        opts: { ...definition.options, ...delay, jobId },
      })),
    );
  }

  /**
   * Creates or updates a repeating job; one scheduler per id (the job's name unless given),
   * whatever the number of workers. It runs when created and every `everyMs` after that, or, with
   * `offsetMs` (1 to `everyMs`), `offsetMs` after each multiple of `everyMs` since 1970.
   */
  async schedule<N extends JobName>(
    name: N,
    everyMs: number,
    payload: JobPayloads[N],
    schedulerId: string = name,
    offsetMs?: number,
  ): Promise<void> {
    const definition = JOB_CATALOG[name];
    await this.queue(definition.queue).upsertJobScheduler(
      schedulerId,
      offsetMs === undefined ? { every: everyMs } : { every: everyMs, offset: offsetMs },
      { name, data: payload, opts: definition.options },
    );
  }

  /** The repeating jobs of `name`'s queue whose scheduler id starts with `prefix`: period and offset. */
  async schedules(name: JobName, prefix: string): Promise<Map<string, Repeat>> {
    const queue = this.queue(JOB_CATALOG[name].queue);
    const found = new Map<string, Repeat>();
    const pageSize = 1000;
    for (let start = 0; ; start += pageSize) {
      const page = await queue.getJobSchedulers(start, start + pageSize - 1, true);
      for (const scheduler of page) {
        if (scheduler.key.startsWith(prefix)) {
          found.set(scheduler.key, {
            everyMs: Number(scheduler.every),
            offsetMs: Number(scheduler.offset ?? 0),
          });
        }
      }
      if (page.length < pageSize) return found;
    }
  }

  /** Stops a repeating job of `name`'s queue. */
  async unschedule(name: JobName, schedulerId: string): Promise<void> {
    await this.queue(JOB_CATALOG[name].queue).removeJobScheduler(schedulerId);
  }

  /** The BullMQ queue, for counts and inspection. */
  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      this.connection ??= createRedisConnection(this.config.REDIS_URL, 'producer');
      queue = new Queue(name, { connection: this.connection, prefix: this.config.QUEUE_PREFIX });
      queue.on('error', (error) => this.logger.warn(`queue ${name}: ${error.message}`));
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Last: running jobs (closed in onModuleDestroy) may still enqueue. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.connection?.disconnect();
  }
}
