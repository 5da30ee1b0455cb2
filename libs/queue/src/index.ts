export * from './job-catalog';
export * from './job-handler';
export * from './job-queue.service';
export * from './queue-metrics';
export * from './queue.module';
export * from './redis-connection';
export * from './redis.health';
export * from './retry-policies';
