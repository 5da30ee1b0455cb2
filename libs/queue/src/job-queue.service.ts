import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import type IORedis from 'ioredis';
import { AppConfig } from '@gpu/config';
import { JOB_CATALOG, JobName, JobPayloads, QueueName } from './job-catalog';
import { createRedisConnection } from './redis-connection';

/** Enqueues and schedules jobs by name; the catalog decides the queue and retry policy. */
@Injectable()
export class JobQueue implements OnModuleDestroy {
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

  /** Creates or updates a repeating job; one scheduler per name, whatever the number of workers. */
  async schedule<N extends JobName>(
    name: N,
    everyMs: number,
    payload: JobPayloads[N],
  ): Promise<void> {
    const definition = JOB_CATALOG[name];
    await this.queue(definition.queue).upsertJobScheduler(
      name,
      { every: everyMs },
      { name, data: payload, opts: definition.options },
    );
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

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.connection?.disconnect();
  }
}
