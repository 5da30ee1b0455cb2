import { Controller, Get } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ChainStatusService } from '@gpu/chain';
import { Public, Roles } from '../auth/access-policy';
import { ChainStatusResponse, DeployedContractResponse } from './dto/chain-status.response';
import { ReconciliationResponse } from './dto/reconciliation.response';

/** Contract addresses and the pipeline's progress are public; the reconciliation report is for staff. */
@ApiTags('chain')
@ApiExtraModels(DeployedContractResponse)
@Controller('chain')
export class ChainController {
  constructor(private readonly status: ChainStatusService) {}

  @Get('status')
  @Public()
  @ApiOperation({ summary: 'Contracts, chain head, indexer progress and outbox depth' })
  @ApiOkResponse({ type: ChainStatusResponse })
  getStatus(): Promise<ChainStatusResponse> {
    return this.status.status();
  }

  @Get('reconciliation')
  @Roles(['compliance', 'admin'])
  @ApiBearerAuth()
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
