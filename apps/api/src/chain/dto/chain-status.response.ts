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

export class ChainStatusResponse {
  @ApiProperty({ type: DeploymentResponse })
  deployment: DeploymentResponse;

  @ApiPropertyOptional({
    type: ChainHeadResponse,
    nullable: true,
    description: 'Null until the worker has run',
  })
  head: ChainHeadResponse | null;
}
