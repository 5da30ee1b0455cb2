export * from './compliance.errors';
export * from './compliance.module';
export * from './compliance.tokens';
export * from './enforcement.service';
export * from './entities/enforcement-action.entity';
export * from './reports.service';
export * from './review-queue.service';
