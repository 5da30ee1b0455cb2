import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ReconciliationRun } from '../entities/reconciliation-run.entity';

export interface IndexedTokenState {
  token: string;
  supply: bigint;
  balancesSum: bigint;
  balances: Map<string, bigint>;
}

/**
 * Reads the index as of one cursor (one consistent snapshot) and keeps reconciliation runs.
 * Holders with a zero balance are not listed: a wrong zero shows in the supply and sum checks.
 */
@Injectable()
export class ReconciliationRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The cursor block and every token's derived supply and balances, read in one snapshot. */
  snapshot(
    chainId: number,
  ): Promise<{ blockNumber: bigint; blockHash: string; tokens: IndexedTokenState[] } | null> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const [cursor] = await manager.query<{ block_number: string; block_hash: string }[]>(
        `SELECT block_number, block_hash FROM index_cursor WHERE chain_id = $1`,
        [chainId],
      );
      if (!cursor) return null;
      const tokens = await manager.query<{ address: string; total_supply: string }[]>(
        `SELECT address, total_supply FROM indexed_contract WHERE kind = 'GpuFarmToken' ORDER BY address`,
      );
      const balances = await manager.query<{ token: string; holder: string; balance: string }[]>(
        `SELECT token, holder, balance FROM token_balance WHERE balance > 0 ORDER BY token, holder`,
      );
      const byToken = new Map<string, IndexedTokenState>(
        tokens.map((t) => [
          t.address,
          {
            token: t.address,
            supply: BigInt(t.total_supply),
            balancesSum: 0n,
            balances: new Map(),
          },
        ]),
      );
      for (const row of balances) {
        const state = byToken.get(row.token);
        if (!state) continue;
        const balance = BigInt(row.balance);
        state.balances.set(row.holder, balance);
        state.balancesSum += balance;
      }
      return {
        blockNumber: BigInt(cursor.block_number),
        blockHash: cursor.block_hash,
        tokens: [...byToken.values()],
      };
    });
  }

  async save(run: Omit<ReconciliationRun, 'id' | 'finishedAt'>): Promise<ReconciliationRun> {
    return this.dataSource.getRepository(ReconciliationRun).save(run);
  }

  latest(): Promise<ReconciliationRun | null> {
    return this.dataSource
      .getRepository(ReconciliationRun)
      .findOne({ where: {}, order: { id: 'DESC' } });
  }
}
