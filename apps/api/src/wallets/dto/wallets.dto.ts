import { ApiProperty } from '@nestjs/swagger';
import { getAddress } from 'ethers';
import type { Wallet } from '@gpu/identity';

export class WalletResponse {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'Checksummed address' }) address: string;
  @ApiProperty() chainId: number;
  @ApiProperty() linkedAt: string;
  @ApiProperty({
    description: 'Whether the platform has asked the IdentityRegistry to hold this wallet',
  })
  registryRequested: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'The KYC expiry registered for it' })
  registryExpiry: string | null;
}

export function toWalletResponse(wallet: Wallet): WalletResponse {
  return {
    id: wallet.id,
    address: getAddress(wallet.address),
    chainId: wallet.chainId,
    linkedAt: wallet.linkedAt.toISOString(),
    registryRequested: wallet.registryExpiry !== null,
    registryExpiry: wallet.registryExpiry?.toISOString() ?? null,
  };
}
