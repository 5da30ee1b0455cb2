import { ApiProperty, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { getAddress } from 'ethers';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsISO8601,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  FARM_STATUSES,
  FARM_TOKEN_STATUSES,
  type Farm,
  type FarmStatus,
  type FarmToken,
} from '@gpu/farms';
import { PageQuery } from '../../http/page.query';
import { IsSha256Hex } from '../../http/is-sha256-hex.validator';
import { IsIsoNumericCountry } from '../../http/is-iso-numeric-country.validator';

const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

export class GpuNodeDto {
  @ApiProperty({ example: 'NVIDIA H100 80GB HBM3' })
  @IsString()
  @Length(1, 100)
  gpuModel: string;

  @ApiProperty({ example: 'GPU-5c1b3d3e-8f0a-4a8e-9d0b-2f6c7e1a9b44' })
  @Matches(/^GPU-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, {
    message: 'gpuUuid must be an NVIDIA GPU UUID (GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)',
  })
  gpuUuid: string;

  @ApiProperty({ example: 81_559 })
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  memoryMb: number;

  @ApiProperty({ example: 'rack-a-node-07' })
  @Matches(/^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/, {
    message: 'host must be a host name',
  })
  host: string;

  @ApiProperty({ example: 'http://10.0.0.7:9400/metrics' })
  @IsUrl(URL_OPTIONS)
  @Length(1, 2000)
  metricsUrl: string;
}

export class FarmDocumentDto {
  @ApiProperty({ example: 'valuation-report' })
  @IsString()
  @Length(1, 50)
  type: string;

  @ApiProperty({ example: 'https://docs.example.com/farm/valuation.pdf' })
  @IsUrl({ ...URL_OPTIONS, protocols: ['http', 'https', 'ipfs'] })
  @Length(1, 2000)
  uri: string;

  @ApiProperty({ description: 'SHA-256 of the file, hex' })
  @IsSha256Hex()
  sha256: string;
}

export class CreateFarmRequest {
  @ApiProperty({ example: 'Reykjavik A100 cluster' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ example: 'Nordic Compute ehf.' })
  @IsString()
  @Length(1, 200)
  legalEntity: string;

  @ApiProperty({ description: 'ISO 3166-1 numeric country of the legal entity', example: 352 })
  @IsIsoNumericCountry()
  jurisdiction: number;

  @ApiProperty({ example: 'Reykjavik, Iceland' })
  @IsString()
  @Length(1, 200)
  siteLocation: string;

  @ApiProperty({
    description: 'Valuation in stablecoin minor units, a decimal integer string',
    example: '2500000000000',
  })
  @Matches(/^[1-9][0-9]{0,76}$/, { message: 'valuation must be a positive integer string' })
  valuation: string;

  @ApiProperty({ description: "The holders' share of revenue in basis points", example: 7000 })
  @IsInt()
  @Min(1)
  @Max(10_000)
  revenueShareBps: number;

  @ApiProperty({
    description: 'Seconds between two probes of every GPU by the uptime oracle',
    required: false,
    default: 60,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3600)
  probeIntervalSeconds?: number;

  @ApiProperty({
    description: 'Promised uptime per epoch in basis points (SLA)',
    required: false,
    default: 9900,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  slaUptimeBps?: number;

  @ApiProperty({
    description:
      'Contracted revenue per GPU-hour used, stablecoin minor units, a decimal integer string',
    required: false,
    default: '0',
    example: '2000000',
  })
  @IsOptional()
  @Matches(/^(0|[1-9][0-9]{0,29})$/, {
    message: 'ratePerGpuHour must be a non-negative integer string below 10^30',
  })
  ratePerGpuHour?: string;

  @ApiProperty({ type: [GpuNodeDto], required: false })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => GpuNodeDto)
  nodes?: GpuNodeDto[];

  @ApiProperty({ type: [FarmDocumentDto], required: false })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => FarmDocumentDto)
  documents?: FarmDocumentDto[];
}

/** Any field of a farm; `nodes` and `documents`, when given, replace the sets. */
export class UpdateFarmRequest extends PartialType(CreateFarmRequest) {}

export class FarmDecisionRequest {
  @ApiProperty()
  @IsString()
  @Length(1, 2000)
  reason: string;
}

export class ListFarmsQuery extends PageQuery {
  @ApiProperty({ enum: FARM_STATUSES, required: false })
  @IsOptional()
  @IsIn(FARM_STATUSES)
  status?: FarmStatus;
}

export class GpuNodeResponse extends GpuNodeDto {
  @ApiProperty() id: string;
}

export class FarmDocumentResponse extends FarmDocumentDto {
  @ApiProperty() id: string;
}

export class FarmResponse {
  @ApiProperty() id: string;
  @ApiProperty() operatorId: string;
  @ApiProperty() name: string;
  @ApiProperty() legalEntity: string;
  @ApiProperty() jurisdiction: number;
  @ApiProperty() siteLocation: string;
  @ApiProperty({ description: 'Stablecoin minor units' }) valuation: string;
  @ApiProperty() revenueShareBps: number;
  @ApiProperty() probeIntervalSeconds: number;
  @ApiProperty() slaUptimeBps: number;
  @ApiProperty({ description: 'Stablecoin minor units per GPU-hour used' }) ratePerGpuHour: string;
  @ApiProperty({ nullable: true, type: String, description: 'Latest epoch under the SLA' })
  slaBreachEpoch: string | null;
  @ApiProperty({ enum: FARM_STATUSES }) status: string;
  @ApiProperty({ nullable: true, type: String }) rejectionReason: string | null;
  @ApiProperty({ nullable: true, type: String }) submittedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) decidedBy: string | null;
  @ApiProperty({ nullable: true, type: String }) decidedAt: string | null;
  @ApiProperty({ type: [GpuNodeResponse] }) nodes: GpuNodeResponse[];
  @ApiProperty({ type: [FarmDocumentResponse] }) documents: FarmDocumentResponse[];
  @ApiProperty() createdAt: string;
}

export class FarmPage {
  @ApiProperty({ type: [FarmResponse] }) items: FarmResponse[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

export function toFarmResponse(farm: Farm): FarmResponse {
  return {
    id: farm.id,
    operatorId: farm.operatorId,
    name: farm.name,
    legalEntity: farm.legalEntity,
    jurisdiction: farm.jurisdiction,
    siteLocation: farm.siteLocation,
    valuation: farm.valuation.toString(),
    revenueShareBps: farm.revenueShareBps,
    probeIntervalSeconds: farm.probeIntervalSeconds,
    slaUptimeBps: farm.slaUptimeBps,
    ratePerGpuHour: farm.ratePerGpuHour.toString(),
    slaBreachEpoch: farm.slaBreachEpoch?.toString() ?? null,
    status: farm.status,
    rejectionReason: farm.rejectionReason,
    submittedAt: farm.submittedAt?.toISOString() ?? null,
    decidedBy: farm.decidedBy,
    decidedAt: farm.decidedAt?.toISOString() ?? null,
    nodes: (farm.nodes ?? [])
      .map(({ id, gpuModel, gpuUuid, memoryMb, host, metricsUrl }) => ({
        id,
        gpuModel,
        gpuUuid,
        memoryMb,
        host,
        metricsUrl,
      }))
      .sort((a, b) => a.gpuUuid.localeCompare(b.gpuUuid)),
    documents: (farm.documents ?? []).map(({ id, type, uri, sha256 }) => ({
      id,
      type,
      uri,
      sha256,
    })),
    createdAt: farm.createdAt.toISOString(),
  };
}

export class TokenizeFarmRequest {
  @ApiProperty({ example: 'GPUREY' })
  @Matches(/^[A-Z0-9]{2,11}$/, { message: 'symbol must be 2 to 11 upper-case letters or digits' })
  symbol: string;

  @ApiProperty({
    description: 'Fractions the farm is divided into, a decimal integer string',
    example: '1000000',
  })
  @Matches(/^[1-9][0-9]{0,37}$/, { message: 'totalFractions must be a positive integer string' })
  totalFractions: string;

  @ApiProperty({
    description: 'ISO 3166-1 numeric codes of the countries whose investors may hold it',
    example: [276, 250, 352],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(250)
  @IsIsoNumericCountry({ each: true })
  allowedCountries: number[];

  @ApiProperty({
    description: 'Largest balance of one wallet; "0" for no limit',
    example: '250000',
  })
  @Matches(/^(0|[1-9][0-9]{0,37})$/, {
    message: 'maxBalance must be a non-negative integer string',
  })
  maxBalance: string;

  @ApiProperty({ description: 'Largest number of holders; 0 for no limit', example: 2000 })
  @IsInt()
  @Min(0)
  @Max(4_294_967_295)
  maxHolders: number;

  @ApiProperty({
    required: false,
    description: 'Transfers between investors are refused before this time',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  lockupEnd?: string;
}

export class FarmTokenResponse {
  @ApiProperty() farmId: string;
  @ApiProperty({
    description: 'Known before the token exists: the factory clones deterministically',
  })
  tokenAddress: string;
  @ApiProperty() chainFarmId: string;
  @ApiProperty() name: string;
  @ApiProperty() symbol: string;
  @ApiProperty() totalFractions: string;
  @ApiProperty({ type: [Number] }) allowedCountries: number[];
  @ApiProperty() maxBalance: string;
  @ApiProperty() maxHolders: number;
  @ApiProperty({ nullable: true, type: String }) lockupEnd: string | null;
  @ApiProperty({
    enum: FARM_TOKEN_STATUSES,
    description:
      'requested (awaits compliance), rejected, pending (approved, the factory transaction in the outbox), confirmed, failed',
  })
  status: string;
  @ApiProperty({ nullable: true, type: String, description: 'Set when the request is approved' })
  chainTxId: string | null;
  @ApiProperty() attempt: number;
  @ApiProperty({ nullable: true, type: String }) failureReason: string | null;
  @ApiProperty() requestedBy: string;
  @ApiProperty() requestedAt: string;
  @ApiProperty({ nullable: true, type: String }) decidedBy: string | null;
  @ApiProperty({ nullable: true, type: String }) decidedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) decisionReason: string | null;
  @ApiProperty({ nullable: true, type: String }) confirmedAt: string | null;
}

export function toFarmTokenResponse(token: FarmToken): FarmTokenResponse {
  return {
    farmId: token.farmId,
    tokenAddress: getAddress(token.tokenAddress),
    chainFarmId: token.chainFarmId,
    name: token.name,
    symbol: token.symbol,
    totalFractions: token.totalFractions.toString(),
    allowedCountries: token.allowedCountries,
    maxBalance: token.maxBalance.toString(),
    maxHolders: token.maxHolders,
    lockupEnd: token.lockupEnd?.toISOString() ?? null,
    status: token.status,
    chainTxId: token.chainTxId,
    attempt: token.attempt,
    failureReason: token.failureReason,
    requestedBy: token.requestedBy,
    requestedAt: token.requestedAt.toISOString(),
    decidedBy: token.decidedBy,
    decidedAt: token.decidedAt?.toISOString() ?? null,
    decisionReason: token.decisionReason,
    confirmedAt: token.confirmedAt?.toISOString() ?? null,
  };
}
