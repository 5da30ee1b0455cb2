import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChainModule } from '@gpu/chain';
import { AuditAnchorRepository } from './audit-anchor.repository';
import { AuditVerificationService } from './audit-verification.service';
import { AuditEntry } from './entities/audit-entry.entity';
import { AuditAnchorProcessor } from './jobs/audit-anchor.processor';

/** Verification of the audit log against its on-chain anchors (for the API's GET /audit/verify). */
@Module({
  imports: [TypeOrmModule.forFeature([AuditEntry]), ChainModule],
  providers: [AuditAnchorRepository, AuditVerificationService],
  exports: [AuditAnchorRepository, AuditVerificationService],
})
export class AuditVerificationModule {}

/** The `audit.anchor` job, anchoring the audit log's head on chain; only the worker imports it. */
@Module({
  imports: [AuditVerificationModule, ChainModule],
  providers: [AuditAnchorProcessor],
})
export class AuditAnchorModule {}
