export * from './app-config';
export * from './config.module';
export * from './dev-keys';
export * from './env-file';
export * from './is-connection-url.validator';
export * from './load-config';
