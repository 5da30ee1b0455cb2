import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEthereumAddress, IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { IsIntegerStringUpTo } from '../../http/is-integer-string.validator';
import { PageQuery } from '../../http/page.query';

const MAX_BIGINT = 2n ** 63n - 1n;

class ReportQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: ['json', 'csv'],
    default: 'json',
    description: 'json: one page (limit, offset); csv: the whole report, streamed',
  })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';

  @ApiPropertyOptional({ description: 'Only this farm' })
  @IsOptional()
  @IsUUID()
  farmId?: string;
}

export class HolderRegisterQuery extends ReportQuery {}

export class TransferReportQuery extends ReportQuery {
  @ApiPropertyOptional({ description: 'Sent or received by this wallet' })
  @IsOptional()
  @IsEthereumAddress()
  wallet?: string;

  @ApiPropertyOptional({ description: 'From this block (inclusive)' })
  @IsOptional()
  @IsIntegerStringUpTo(MAX_BIGINT)
  fromBlock?: string;

  @ApiPropertyOptional({ description: 'Up to this block (inclusive)' })
  @IsOptional()
  @IsIntegerStringUpTo(MAX_BIGINT)
  toBlock?: string;
}

export class DistributionReportQuery extends ReportQuery {
  @ApiPropertyOptional({ description: 'Only this epoch' })
  @IsOptional()
  @IsIntegerStringUpTo(2n ** 32n - 1n)
  epoch?: string;
}

export class ReportPage extends PageQuery {
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    description: 'Rows with the columns of the CSV',
  })
  items: Record<string, unknown>[];
  @ApiProperty() total: number;
}

export class ReviewQueuesQuery {
  @ApiPropertyOptional({
    default: 20,
    minimum: 1,
    maximum: 200,
    description: 'Oldest items per queue',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit = 20;
}

class ReviewQueueResponse {
  @ApiProperty() total: number;
  @ApiProperty({ type: 'array', items: { type: 'object' } }) oldest: Record<string, unknown>[];
}

export class ReviewQueuesResponse {
  @ApiProperty({ description: 'KYC cases pending review' }) kycCases: ReviewQueueResponse;
  @ApiProperty({ description: 'Farm listings submitted for approval' })
  farmListings: ReviewQueueResponse;
  @ApiProperty({
    description:
      'Farm token requests awaiting approval: farm, requested terms, requester, age in seconds',
  })
  tokenizations: ReviewQueueResponse;
  @ApiProperty({ description: 'Revenue reports beyond the tolerance or skipping epochs' })
  revenueReports: ReviewQueueResponse;
}
