import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { ChainHead } from './chain-client.service';
import { ChainHeartbeat } from './entities/chain-heartbeat.entity';

@Injectable()
export class ChainHeartbeatRepository {
  constructor(
    @InjectRepository(ChainHeartbeat) private readonly rows: Repository<ChainHeartbeat>,
  ) {}

  /** Idempotent: seeing the same block again only moves last_seen_at (and the hash, after a reorg). */
  async record(head: ChainHead): Promise<void> {
    await this.rows.query(
      `INSERT INTO chain_heartbeat (chain_id, block_number, block_hash, block_timestamp)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (chain_id, block_number)
       DO UPDATE SET last_seen_at = now(), block_hash = EXCLUDED.block_hash,
                     block_timestamp = EXCLUDED.block_timestamp`,
      [head.chainId, head.blockNumber.toString(), head.blockHash, head.timestamp],
    );
  }

  latest(chainId: number): Promise<ChainHeartbeat | null> {
    return this.rows.findOne({ where: { chainId }, order: { blockNumber: 'DESC' } });
  }
}
