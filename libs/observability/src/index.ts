export * from './logging.module';
export * from './metrics.registry';
export * from './observability.module';
