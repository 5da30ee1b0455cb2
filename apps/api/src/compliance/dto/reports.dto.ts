import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEthereumAddress, IsIn, IsOptional, IsUUID } from 'class-validator';
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
