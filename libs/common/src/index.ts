export * from './domain-error';
export * from './safe-error-message';
export * from './with-timeout';
