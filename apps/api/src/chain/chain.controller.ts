import { Controller, Get } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ChainStatusService } from '@gpu/chain';
import { ChainStatusResponse, DeployedContractResponse } from './dto/chain-status.response';
import { ReconciliationResponse } from './dto/reconciliation.response';

/** Public facts: contract addresses, balances and supplies are on chain for anyone to see. */
@ApiTags('chain')
@ApiExtraModels(DeployedContractResponse)
@Controller('chain')
export class ChainController {
  constructor(private readonly status: ChainStatusService) {}

  @Get('status')
  @ApiOperation({ summary: 'Contracts, chain head, indexer progress and outbox depth' })
  @ApiOkResponse({ type: ChainStatusResponse })
  getStatus(): Promise<ChainStatusResponse> {
    return this.status.status();
  }

  @Get('reconciliation')
  @ApiOperation({
    summary: 'The latest comparison of indexed balances and supplies with the chain',
  })
  @ApiOkResponse({ type: ReconciliationResponse })
  async getReconciliation(): Promise<ReconciliationResponse> {
    const run = await this.status.latestReconciliation();
    return {
      latest: run && {
        blockNumber: run.blockNumber.toString(),
        tokens: run.tokens,
        accounts: run.accounts,
        mismatchCount: run.mismatchCount,
        mismatches: run.mismatches,
        startedAt: run.startedAt.toISOString(),
        finishedAt: run.finishedAt.toISOString(),
      },
    };
  }
}
