import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { PageQuery } from '../../http/page.query';

class AuditHeadDto {
  @ApiProperty() sequence: string;
  @ApiProperty() hash: string;
}

class AuditProblemDto {
  @ApiProperty() sequence: string;
  @ApiProperty() problem: string;
}

class AnchorDto {
  @ApiProperty() sequence: string;
  @ApiProperty() head: string;
  @ApiProperty({ required: false }) txHash?: string;
  @ApiProperty() blockNumber: string;
}

class AnchorMismatchDto {
  @ApiProperty() sequence: string;
  @ApiProperty() anchored: string;
  @ApiProperty({ nullable: true, type: String }) stored: string | null;
  @ApiProperty({ enum: ['index', 'contract'] }) source: string;
  @ApiProperty({ nullable: true, type: String }) txHash: string | null;
  @ApiProperty({ nullable: true, type: String }) blockNumber: string | null;
}

class AnchorCheckDto {
  @ApiProperty({ description: 'Anchors indexed from the AuditAnchor contract' }) count: number;
  @ApiProperty({ type: AnchorDto, nullable: true }) latest: AnchorDto | null;
  @ApiProperty({
    type: AnchorDto,
    nullable: true,
    required: false,
    description:
      "The contract's last anchor, read from the chain (absent when the chain did not answer)",
  })
  contract?: AnchorDto | null;
  @ApiProperty({ type: [AnchorMismatchDto] }) mismatches: AnchorMismatchDto[];
}

export class AuditVerificationResponse {
  @ApiProperty({ description: 'The hash chain holds and every anchored head matches' })
  valid: boolean;
  @ApiProperty() entries: number;
  @ApiProperty({ type: AuditHeadDto, nullable: true }) head: AuditHeadDto | null;
  @ApiProperty({ type: AuditProblemDto, required: false }) firstProblem?: AuditProblemDto;
  @ApiProperty({ type: AnchorCheckDto }) anchors: AnchorCheckDto;
}

export class AuditSearchQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Exact actor, e.g. user:<uuid> or worker' })
  @IsOptional()
  @IsString()
  @Length(1, 300)
  actor?: string;

  @ApiPropertyOptional({ description: 'Exact subject, e.g. farm:<uuid>' })
  @IsOptional()
  @IsString()
  @Length(1, 300)
  subject?: string;

  @ApiPropertyOptional({ description: 'Exact action, e.g. compliance.wallet-freeze' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  action?: string;

  @ApiPropertyOptional({ description: 'From this instant (inclusive), ISO 8601' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Until this instant (exclusive), ISO 8601' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class AuditEntryResponse {
  @ApiProperty() sequence: string;
  @ApiProperty() occurredAt: string;
  @ApiProperty() actor: string;
  @ApiProperty() role: string;
  @ApiProperty() action: string;
  @ApiProperty() subject: string;
  @ApiProperty({ nullable: true, type: String }) requestId: string | null;
  @ApiProperty({ description: 'SHA-256 of the canonical JSON of the change' }) changeDigest: string;
  @ApiProperty() previousHash: string;
  @ApiProperty() hash: string;
}

export class AuditEntryPage extends PageQuery {
  @ApiProperty({ type: [AuditEntryResponse] }) items: AuditEntryResponse[];
  @ApiProperty() total: number;
}
