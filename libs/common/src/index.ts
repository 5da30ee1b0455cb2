export * from './domain-error';
export * from './with-timeout';
