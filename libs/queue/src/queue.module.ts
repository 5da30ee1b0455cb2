import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JobQueue } from './job-queue.service';
import { QueueWorkerHost } from './queue-worker.host';
import { RedisHealth } from './redis.health';

/** Producers and the Redis health check, for both apps. */
@Global()
@Module({
  providers: [JobQueue, RedisHealth],
  exports: [JobQueue, RedisHealth],
})
export class QueueModule {}

/** The job runner; only the worker app imports it. */
@Module({
  imports: [DiscoveryModule],
  providers: [QueueWorkerHost],
})
export class QueueWorkerModule {}
