import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class DeployedContractResponse {
  @ApiProperty({ example: '0x5FbDB2315678afecb367f032d93F642f64180aa3' })
  address: string;

  @ApiProperty({ example: 1 })
  blockNumber: number;

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Null for a contract that already existed',
  })
  txHash: string | null;
}

export class DeploymentResponse {
  @ApiProperty({ example: 31337 })
  chainId: number;

  @ApiProperty({ description: 'Block of the first deployment transaction' })
  deployedAtBlock: number;

  @ApiProperty()
  deployer: string;

  @ApiProperty()
  createdAt: string;

  @ApiProperty({ description: 'True when the stablecoin is the local MockStablecoin' })
  mockStablecoin: boolean;

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/DeployedContractResponse' },
  })
  contracts: Record<string, DeployedContractResponse>;
}

export class ChainHeadResponse {
  @ApiProperty({ description: 'Block number as a decimal string', example: '42' })
  blockNumber: string;

  @ApiProperty()
  blockHash: string;

  @ApiProperty()
  blockTimestamp: string;

  @ApiProperty({ description: 'When the worker first saw this block' })
  firstSeenAt: string;

  @ApiProperty({ description: 'When the worker last saw this block as the head' })
  lastSeenAt: string;
}

export class IndexerStatusResponse {
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Every log up to this block is indexed (decimal string); null before the first batch',
  })
  blockNumber: string | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Final blocks not indexed yet, by the last head the worker saw',
  })
  lagBlocks: number | null;

  @ApiProperty({
    description: 'Blocks on top of a block (itself included) before it counts as final',
  })
  confirmations: number;
}

export class OutboxStatusResponse {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'Transactions not yet final, by state (queued, signed, broadcast, mined)',
    example: { queued: 0, signed: 0, broadcast: 1, mined: 2 },
  })
  byState: Record<string, number>;

  @ApiProperty({ description: 'Age in seconds of the oldest transaction not yet final' })
  oldestPendingSeconds: number;
}

export class ChainStatusResponse {
  @ApiProperty({ type: DeploymentResponse })
  deployment: DeploymentResponse;

  @ApiPropertyOptional({
    type: ChainHeadResponse,
    nullable: true,
    description: 'Null until the worker has run',
  })
  head: ChainHeadResponse | null;

  @ApiProperty({ type: IndexerStatusResponse })
  indexer: IndexerStatusResponse;

  @ApiProperty({ type: OutboxStatusResponse })
  outbox: OutboxStatusResponse;
}
