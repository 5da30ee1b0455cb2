import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JobQueue } from './job-queue.service';
import { QueueWorkerHost } from './queue-worker.host';

/** Producers and schedulers, for both apps. */
@Global()
@Module({
  providers: [JobQueue],
  exports: [JobQueue],
})
export class QueueModule {}

/** The job runner; only the worker app imports it. */
@Module({
  imports: [DiscoveryModule],
  providers: [QueueWorkerHost],
})
export class QueueWorkerModule {}
