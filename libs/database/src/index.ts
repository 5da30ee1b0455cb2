export * from './columns';
export * from './data-source-options';
export * from './database-admin';
export * from './database.module';
export * from './snake-naming.strategy';
export * from './transaction';
export * from './advisory-lock';
export * from './unique-violation';
