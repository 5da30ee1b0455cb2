import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsRegistry } from '@gpu/observability';
import { QueueName } from './job-catalog';
import { JobQueue } from './job-queue.service';

/** The states a job waits or works in; completed jobs are history, not depth. */
export const QUEUE_DEPTH_STATES = [
  'waiting',
  'prioritized',
  'delayed',
  'active',
  'waiting-children',
  'failed',
] as const;

/** Every queue's depth by state as a Prometheus gauge, read from Redis at scrape time. */
@Injectable()
export class QueueMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly jobs: JobQueue,
  ) {}

  onModuleInit(): void {
    const jobs = this.jobs;
    new Gauge({
      name: 'gpu_queue_jobs',
      help: 'Jobs per queue and state (failed: kept for inspection after their last attempt)',
      labelNames: ['queue', 'state'] as const,
      registers: [this.metrics.registry],
      async collect() {
        const queues = Object.values(QueueName);
        const counts = await Promise.all(
          queues.map((queue) => jobs.queue(queue).getJobCounts(...QUEUE_DEPTH_STATES)),
        );
        queues.forEach((queue, i) => {
          for (const state of QUEUE_DEPTH_STATES) this.set({ queue, state }, counts[i][state] ?? 0);
        });
      },
    });
  }
}
