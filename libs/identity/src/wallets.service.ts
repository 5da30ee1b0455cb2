import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Wallet } from './entities/wallet.entity';

/** The wallets investors have linked. */
@Injectable()
export class WalletsService {
  constructor(private readonly dataSource: DataSource) {}

  ofUser(userId: string): Promise<Wallet[]> {
    return this.dataSource.getRepository(Wallet).find({
      where: { userId },
      order: { linkedAt: 'ASC' },
    });
  }
}
