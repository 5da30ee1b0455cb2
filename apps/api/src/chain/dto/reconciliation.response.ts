import { ApiProperty } from '@nestjs/swagger';

export class ReconciliationMismatchResponse {
  @ApiProperty()
  token: string;

  @ApiProperty({
    enum: ['supply', 'balances', 'balance'],
    description:
      'supply: the supply derived from mints and burns; balances: the sum of derived balances; balance: one holder',
  })
  kind: string;

  @ApiProperty({ type: String, nullable: true })
  holder: string | null;

  @ApiProperty({ description: 'What the index says (decimal string)' })
  indexed: string;

  @ApiProperty({ description: 'What the chain says at the same block (decimal string)' })
  onChain: string;
}

export class ReconciliationRunResponse {
  @ApiProperty({ description: 'Block both sides were read at (decimal string)' })
  blockNumber: string;

  @ApiProperty()
  tokens: number;

  @ApiProperty({ description: 'Holder balances compared' })
  accounts: number;

  @ApiProperty()
  mismatchCount: number;

  @ApiProperty({ type: [ReconciliationMismatchResponse] })
  mismatches: ReconciliationMismatchResponse[];

  @ApiProperty()
  startedAt: string;

  @ApiProperty()
  finishedAt: string;
}

export class ReconciliationResponse {
  @ApiProperty({
    type: ReconciliationRunResponse,
    nullable: true,
    description: 'The latest run; null before the first',
  })
  latest: ReconciliationRunResponse | null;
}
