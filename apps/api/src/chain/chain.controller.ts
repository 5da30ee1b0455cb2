import { Controller, Get } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ChainStatusService } from '@gpu/chain';
import { ChainStatusResponse, DeployedContractResponse } from './dto/chain-status.response';

/** Public facts: contract addresses are on chain for anyone to see. */
@ApiTags('chain')
@ApiExtraModels(DeployedContractResponse)
@Controller('chain')
export class ChainController {
  constructor(private readonly status: ChainStatusService) {}

  @Get('status')
  @ApiOkResponse({ type: ChainStatusResponse })
  getStatus(): Promise<ChainStatusResponse> {
    return this.status.status();
  }
}
