import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditVerificationService } from '@gpu/audit';
import { Roles } from '../auth/access-policy';
import { AuditVerificationResponse } from './dto/audit.dto';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly verification: AuditVerificationService) {}

  @Get('verify')
  @Roles(['compliance', 'admin'])
  @ApiOperation({
    summary: 'Recompute the audit hash chain and check it against the heads anchored on chain',
  })
  @ApiOkResponse({ type: AuditVerificationResponse })
  verify(): Promise<AuditVerificationResponse> {
    return this.verification.verify() as Promise<AuditVerificationResponse>;
  }
}
