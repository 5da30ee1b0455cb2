export * from './audit-hash';
export * from './audit-log.service';
export * from './audit-verifier';
export * from './audit.module';
export * from './entities/audit-entry.entity';
