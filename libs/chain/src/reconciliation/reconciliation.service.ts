import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interface, type JsonRpcProvider } from 'ethers';
import { AppConfig } from '@gpu/config';
import { CHAIN_PROVIDER, DEPLOYMENT } from '../chain.tokens';
import type { Deployment } from '../deployment/deployment';
import type {
  ReconciliationMismatch,
  ReconciliationRun,
} from '../entities/reconciliation-run.entity';
import { rpcBatch, rpcResult } from '../rpc-batch';
import { ReconciliationRepository } from './reconciliation.repository';

const ERC20 = new Interface([
  'function totalSupply() view returns (uint256)',
  'function balanceOf(address) view returns (uint256)',
]);

/**
 * Compares what the index derived (supplies, balances) with what the chain says at the very
 * block the index has reached, and records every difference. Zero mismatches is the only
 * healthy answer.
 */
@Injectable()
export class ReconciliationService {
  private readonly logger = new Logger(ReconciliationService.name);

  constructor(
    private readonly config: AppConfig,
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
    @Inject(CHAIN_PROVIDER) private readonly provider: JsonRpcProvider,
    private readonly runs: ReconciliationRepository,
  ) {}

  /** One run, or null when nothing is indexed yet. */
  async run(): Promise<ReconciliationRun | null> {
    const startedAt = new Date();
    const snapshot = await this.runs.snapshot(this.deployment.chainId);
    if (!snapshot) return null;
    // By hash (EIP-1898): a reorg during the run makes the calls fail instead of answering for
    // another chain than the one indexed.
    const blockTag = { blockHash: snapshot.blockHash };
    const mismatches: ReconciliationMismatch[] = [];
    let accounts = 0;
    for (const token of snapshot.tokens) {
      const holders = [...token.balances.keys()];
      const calls = [
        {
          method: 'eth_call',
          params: [{ to: token.token, data: ERC20.encodeFunctionData('totalSupply') }, blockTag],
        },
        ...holders.map((holder) => ({
          method: 'eth_call',
          params: [
            { to: token.token, data: ERC20.encodeFunctionData('balanceOf', [holder]) },
            blockTag,
          ],
        })),
      ];
      const answers = await rpcBatch<string>(this.provider, calls, this.config.RPC_TIMEOUT_MS);
      const onChain = answers.map((answer) => BigInt(rpcResult(answer, 'eth_call')));
      const chainSupply = onChain[0];
      if (token.supply !== chainSupply) {
        mismatches.push(mismatch(token.token, 'supply', null, token.supply, chainSupply));
      }
      if (token.balancesSum !== chainSupply) {
        mismatches.push(mismatch(token.token, 'balances', null, token.balancesSum, chainSupply));
      }
      holders.forEach((holder, i) => {
        const indexed = token.balances.get(holder)!;
        if (indexed !== onChain[i + 1]) {
          mismatches.push(mismatch(token.token, 'balance', holder, indexed, onChain[i + 1]));
        }
      });
      accounts += holders.length;
    }
    if (mismatches.length > 0) {
      this.logger.error(
        `reconciliation at block ${snapshot.blockNumber}: ${mismatches.length} mismatch(es)`,
      );
    }
    return this.runs.save({
      blockNumber: snapshot.blockNumber,
      tokens: snapshot.tokens.length,
      accounts,
      mismatchCount: mismatches.length,
      mismatches,
      startedAt,
    });
  }
}

function mismatch(
  token: string,
  kind: ReconciliationMismatch['kind'],
  holder: string | null,
  indexed: bigint,
  onChain: bigint,
): ReconciliationMismatch {
  return { token, kind, holder, indexed: indexed.toString(), onChain: onChain.toString() };
}
