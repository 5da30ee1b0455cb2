import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  KYC_PROVIDERS,
  KYC_STATUSES,
  type KycCase,
  type KycProviderName,
  type KycStatus,
} from '@gpu/kyc';
import { PageQuery } from '../../http/page.query';
import { IsSha256Hex } from '../../http/is-sha256-hex.validator';
import { IsIsoNumericCountry } from '../../http/is-iso-numeric-country.validator';
import type { Principal } from '@gpu/identity';

export class KycDocumentDto {
  @ApiProperty({ example: 'passport' })
  @IsString()
  @Length(1, 50)
  type: string;

  @ApiProperty({ example: 'passport-scan.pdf' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ description: 'SHA-256 of the file, hex' })
  @IsSha256Hex()
  sha256: string;
}

export class OpenKycCaseRequest {
  @ApiProperty({ enum: KYC_PROVIDERS })
  @IsIn(KYC_PROVIDERS)
  provider: KycProviderName;

  @ApiProperty({ description: 'Country of residence, ISO 3166-1 numeric (e.g. 276 Germany)' })
  @IsIsoNumericCountry()
  country: number;

  @ApiProperty({ type: [KycDocumentDto], required: false })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => KycDocumentDto)
  documents?: KycDocumentDto[];
}

export class ApproveKycRequest {
  @ApiProperty({
    description:
      'Country of residence the officer verified in the documents, ISO 3166-1 numeric: it is what the registry holds, whatever the investor declared',
  })
  @IsIsoNumericCountry()
  country: number;

  @ApiProperty({ example: 'basic-kyc-level' })
  @IsString()
  @Length(1, 100)
  level: string;

  @ApiProperty()
  @IsString()
  @Length(1, 2000)
  reason: string;
}

export class RejectKycRequest {
  @ApiProperty({ example: ['DOCUMENT_EXPIRED'], isArray: true })
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(/^[A-Z0-9_]{1,64}$/, { each: true, message: 'labels are UPPER_SNAKE_CASE' })
  labels: string[];

  @ApiProperty()
  @IsString()
  @Length(1, 2000)
  reason: string;
}

export class ListKycCasesQuery extends PageQuery {
  @ApiProperty({ enum: KYC_STATUSES, required: false })
  @IsOptional()
  @IsIn(KYC_STATUSES)
  status?: KycStatus;

  @ApiProperty({ required: false, description: 'Staff only' })
  @IsOptional()
  @IsUUID()
  investorId?: string;

  @ApiProperty({
    required: false,
    description:
      'Staff only: approved cases expiring within this many days (or past their expiry, not yet marked expired), soonest first',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(3650)
  expiringWithinDays?: number;
}

export class KycCaseResponse {
  @ApiProperty() id: string;
  @ApiProperty() investorId: string;
  @ApiProperty({ enum: KYC_PROVIDERS }) provider: string;
  @ApiProperty({ enum: KYC_STATUSES }) status: string;
  @ApiProperty() country: number;
  @ApiProperty({ nullable: true, type: String }) level: string | null;
  @ApiProperty({ type: [KycDocumentDto] }) documents: KycDocumentDto[];
  @ApiProperty({ type: [String] }) rejectLabels: string[];
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty({ nullable: true, type: String }) expiresAt: string | null;
  @ApiProperty({ description: 'Who opened it; investors see `compliance` for an officer' })
  requestedBy: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      '`user:<id>` of the officer or `provider:<name>`; investors see `compliance` for an officer',
  })
  decidedBy: string | null;
  @ApiProperty({ nullable: true, type: String }) decidedAt: string | null;
  @ApiProperty() createdAt: string;
}

export class KycCasePage {
  @ApiProperty({ type: [KycCaseResponse] }) items: KycCaseResponse[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

/** Staff see who did what; an investor sees roles, never a staff member's id. */
export function toKycCaseResponse(kycCase: KycCase, viewer: Principal): KycCaseResponse {
  const investorView = viewer.role === 'investor';
  return {
    id: kycCase.id,
    investorId: kycCase.investorId,
    provider: kycCase.provider,
    status: kycCase.status,
    country: kycCase.country,
    level: kycCase.level,
    documents: kycCase.documents,
    rejectLabels: kycCase.rejectLabels,
    reason: kycCase.reason,
    expiresAt: kycCase.expiresAt?.toISOString() ?? null,
    requestedBy:
      investorView && kycCase.requestedBy !== viewer.userId ? 'compliance' : kycCase.requestedBy,
    decidedBy:
      investorView && kycCase.decidedBy?.startsWith('user:') ? 'compliance' : kycCase.decidedBy,
    decidedAt: kycCase.decidedAt?.toISOString() ?? null,
    createdAt: kycCase.createdAt.toISOString(),
  };
}

export class WebhookReceiptResponse {
  @ApiProperty() eventId: string;
  @ApiProperty({ description: 'True when this event id was already processed' }) duplicate: boolean;
  @ApiProperty({ enum: ['applied', 'stale', 'ignored', 'unknown-case'] }) outcome: string;
}
