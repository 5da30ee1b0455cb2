import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditSearchService, AuditVerificationService } from '@gpu/audit';
import { Roles } from '../auth/access-policy';
import { AuditEntryPage, AuditSearchQuery, AuditVerificationResponse } from './dto/audit.dto';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(
    private readonly verification: AuditVerificationService,
    private readonly search: AuditSearchService,
  ) {}

  @Get('verify')
  @Roles(['compliance', 'admin'])
  @ApiOperation({
    summary: 'Recompute the audit hash chain and check it against the heads anchored on chain',
  })
  @ApiOkResponse({ type: AuditVerificationResponse })
  verify(): Promise<AuditVerificationResponse> {
    return this.verification.verify() as Promise<AuditVerificationResponse>;
  }

  @Get('entries')
  @Roles(['compliance', 'admin'])
  @ApiOperation({
    summary: 'Search the audit log by actor, subject, action and time range, newest first',
  })
  @ApiOkResponse({ type: AuditEntryPage })
  async entries(@Query() query: AuditSearchQuery): Promise<AuditEntryPage> {
    const { items, total } = await this.search.search({
      actor: query.actor,
      subject: query.subject,
      action: query.action,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      limit: query.limit,
      offset: query.offset,
    });
    return {
      items: items.map((entry) => ({
        sequence: entry.sequence.toString(),
        occurredAt: entry.occurredAt.toISOString(),
        actor: entry.actor,
        role: entry.role,
        action: entry.action,
        subject: entry.subject,
        requestId: entry.requestId,
        changeDigest: entry.changeDigest,
        previousHash: entry.previousHash,
        hash: entry.hash,
      })),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  }
}
