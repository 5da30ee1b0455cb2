import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import type IORedis from 'ioredis';
import { AppConfig } from '@gpu/config';
import { safeErrorMessage, withTimeout } from '@gpu/common';
import { JOB_CATALOG, JOB_NAMES, JobName, QUEUE_CONCURRENCY, QueueName } from './job-catalog';
import { JOB_HANDLER_METADATA, JobHandlerOf, assertHandlerCoverage } from './job-handler';
import { createRedisConnection } from './redis-connection';

type AnyHandler = JobHandlerOf<JobName>;

const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Finds every @JobHandler provider, checks that each job has exactly one, and runs one BullMQ
 * worker per queue that dispatches by job name. Closing waits for the jobs in progress.
 */
@Injectable()
export class QueueWorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(QueueWorkerHost.name);
  private readonly workers: Worker[] = [];
  private connection?: IORedis;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const handlers = this.discoverHandlers();
    assertHandlerCoverage(
      JOB_NAMES,
      handlers.map(([name]) => name),
    );
    const byName = new Map(handlers);
    this.connection = createRedisConnection(this.config.REDIS_URL, 'worker');
    const queues = new Set(JOB_NAMES.map((name) => JOB_CATALOG[name].queue));
    for (const queue of queues) this.workers.push(this.startWorker(queue, byName));
    this.logger.log(`handling ${JOB_NAMES.length} job(s) on queue(s) ${[...queues].join(', ')}`);
  }

  /**
   * Lets running jobs finish; gives up after SHUTDOWN_GRACE_MS (Redis away) and hands them back.
   * First of the shutdown hooks: jobs still use the producer and the database, closed later.
   */
  async onModuleDestroy(): Promise<void> {
    try {
      await withTimeout(
        Promise.all(this.workers.map((worker) => worker.close())),
        SHUTDOWN_GRACE_MS,
        'worker shutdown',
      );
    } catch (error) {
      this.logger.warn(`${safeErrorMessage(error)}; closing without waiting`);
      await Promise.allSettled(this.workers.map((worker) => worker.close(true)));
    }
    this.connection?.disconnect();
  }

  private discoverHandlers(): [JobName, AnyHandler][] {
    return this.discovery
      .getProviders()
      .filter((wrapper) => wrapper.metatype && wrapper.instance)
      .flatMap((wrapper) => {
        const name = this.reflector.get<JobName | undefined>(
          JOB_HANDLER_METADATA,
          wrapper.metatype!,
        );
        return name ? [[name, wrapper.instance as AnyHandler] as [JobName, AnyHandler]] : [];
      });
  }

  private startWorker(queue: QueueName, handlers: Map<JobName, AnyHandler>): Worker {
    const worker = new Worker(
      queue,
      async (job: Job) => {
        const handler = handlers.get(job.name as JobName);
        if (!handler) throw new UnrecoverableError(`no handler for job ${job.name}`);
        return handler.handle(job.data, job);
      },
      {
        connection: this.connection!,
        prefix: this.config.QUEUE_PREFIX,
        concurrency:
          queue === QueueName.OracleProbes
            ? this.config.ORACLE_PROBE_CONCURRENCY
            : QUEUE_CONCURRENCY[queue],
      },
    );
    worker.on('failed', (job, error) =>
      this.logger.warn(`${queue}/${job?.name} ${job?.id} failed: ${safeErrorMessage(error)}`),
    );
    worker.on('error', (error) => this.logger.warn(`${queue} worker: ${safeErrorMessage(error)}`));
    return worker;
  }
}
