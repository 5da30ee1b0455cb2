import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsEthereumAddress,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
} from 'class-validator';
import {
  ENFORCEMENT_KINDS,
  ENFORCEMENT_STATUSES,
  type EnforcementAction,
  type EnforcementKind,
  type EnforcementStatus,
} from '@gpu/compliance';
import { PageQuery } from '../../http/page.query';

const AMOUNT = /^(0|[1-9][0-9]{0,77})$/;

export class ReasonRequest {
  @ApiProperty({
    description: 'Why: kept with the action and in the audit log',
    example: 'court order 2026/118',
  })
  @IsString()
  @Length(1, 2000)
  reason: string;
}

export class WalletFreezeRequest extends ReasonRequest {
  @ApiProperty() @IsEthereumAddress() wallet: string;
  @ApiProperty({ description: 'true freezes the wallet, false unfreezes it' })
  @IsBoolean()
  frozen: boolean;
}

export class TokenFreezeRequest extends ReasonRequest {
  @ApiProperty() @IsEthereumAddress() wallet: string;
  @ApiProperty({
    description: 'Fractions of the balance frozen from now on (0 frees them), a decimal string',
  })
  @Matches(AMOUNT, { message: 'amount must be a non-negative integer string' })
  amount: string;
}

export class ForcedTransferRequest extends ReasonRequest {
  @ApiProperty() @IsEthereumAddress() from: string;
  @ApiProperty() @IsEthereumAddress() to: string;
  @ApiProperty({ description: 'Fractions, a decimal string' })
  @Matches(AMOUNT, { message: 'amount must be a non-negative integer string' })
  amount: string;
}

export class WalletRecoveryRequest extends ReasonRequest {
  @ApiProperty() @IsEthereumAddress() lostWallet: string;
  @ApiProperty({ description: 'Another linked, verified wallet of the same investor' })
  @IsEthereumAddress()
  newWallet: string;
}

export class EnforcementQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsUUID() farmId?: string;
  @ApiPropertyOptional({ enum: ENFORCEMENT_KINDS })
  @IsOptional()
  @IsIn(ENFORCEMENT_KINDS)
  kind?: EnforcementKind;
  @ApiPropertyOptional({ enum: ENFORCEMENT_STATUSES })
  @IsOptional()
  @IsIn(ENFORCEMENT_STATUSES)
  status?: EnforcementStatus;
}

export class EnforcementActionResponse {
  @ApiProperty() id: string;
  @ApiProperty() farmId: string;
  @ApiProperty() token: string;
  @ApiProperty({ enum: ENFORCEMENT_KINDS }) kind: string;
  @ApiProperty({
    description: 'wallet, frozen, amount, from, to, lostWallet, newWallet as the kind needs',
  })
  params: Record<string, unknown>;
  @ApiProperty() reason: string;
  @ApiProperty() requestedBy: string;
  @ApiProperty({
    enum: ENFORCEMENT_STATUSES,
    description: 'pending until the chain confirms or refuses it',
  })
  status: string;
  @ApiProperty({ nullable: true, type: String }) chainTxId: string | null;
  @ApiProperty({ nullable: true, type: String }) txHash: string | null;
  @ApiProperty({ nullable: true, type: String, description: "The chain's reason for refusing it" })
  failure: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) completedAt: string | null;
}

export class EnforcementActionPage extends PageQuery {
  @ApiProperty({ type: [EnforcementActionResponse] }) items: EnforcementActionResponse[];
  @ApiProperty() total: number;
}

export function toEnforcementActionResponse(action: EnforcementAction): EnforcementActionResponse {
  return {
    id: action.id,
    farmId: action.farmId,
    token: action.token,
    kind: action.kind,
    params: { ...action.params },
    reason: action.reason,
    requestedBy: action.requestedBy,
    status: action.status,
    chainTxId: action.chainTxId,
    txHash: action.txHash,
    failure: action.failure,
    createdAt: action.createdAt.toISOString(),
    completedAt: action.completedAt?.toISOString() ?? null,
  };
}
