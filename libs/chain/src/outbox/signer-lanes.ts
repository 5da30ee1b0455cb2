import { Inject, Injectable } from '@nestjs/common';
import { Wallet } from 'ethers';
import { AppConfig, platformAgentPrivateKey } from '@gpu/config';
import { DEPLOYMENT } from '../chain.tokens';
import type { Deployment } from '../deployment/deployment';

/** Every signer lane: one key each, one ordered sequence of nonces each. */
export const SIGNER_LANES = ['platform'] as const;
export type SignerLane = (typeof SIGNER_LANES)[number];

/** The worker's signing keys, one per lane. Keys never leave this class and are never logged. */
@Injectable()
export class SignerLanes {
  private readonly wallets: ReadonlyMap<SignerLane, Wallet>;

  constructor(config: AppConfig, @Inject(DEPLOYMENT) deployment: Deployment) {
    this.wallets = new Map([
      ['platform', new Wallet(platformAgentPrivateKey(config, deployment.chainId))],
    ]);
  }

  get lanes(): readonly SignerLane[] {
    return SIGNER_LANES;
  }

  wallet(lane: SignerLane): Wallet {
    const wallet = this.wallets.get(lane);
    if (!wallet) throw new Error(`no key for signer lane ${lane}`);
    return wallet;
  }

  address(lane: SignerLane): string {
    return this.wallet(lane).address;
  }
}
