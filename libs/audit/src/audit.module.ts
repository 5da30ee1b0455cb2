import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLog } from './audit-log.service';
import { AuditSearchService } from './audit-search.service';
import { AuditEntry } from './entities/audit-entry.entity';

export const AUDIT_ENTITIES = [AuditEntry];

/** The audit log, for every library that changes state. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature(AUDIT_ENTITIES)],
  providers: [AuditLog, AuditSearchService],
  exports: [AuditLog, AuditSearchService],
})
export class AuditModule {}
