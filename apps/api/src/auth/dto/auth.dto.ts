import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';

const PASSWORD_RULE = 'at least 12 and at most 128 characters';

export class RegisterRequest {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ description: `Password, ${PASSWORD_RULE}` })
  @IsString()
  @Length(12, 128)
  password: string;
}

export class SignInRequest {
  @ApiProperty()
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty()
  @IsString()
  @Length(1, 128)
  password: string;
}

export class RefreshRequest {
  @ApiProperty({ description: 'The refresh token of the session' })
  @IsString()
  @Matches(/^rt_[0-9a-f]{64}$/, { message: 'refreshToken must be a refresh token' })
  refreshToken: string;
}

export class ChangePasswordRequest {
  @ApiProperty()
  @IsString()
  @Length(1, 128)
  currentPassword: string;

  @ApiProperty({ description: `New password, ${PASSWORD_RULE}` })
  @IsString()
  @Length(12, 128)
  newPassword: string;
}

export class SiweRequest {
  @ApiProperty({ description: 'The EIP-4361 message, exactly as signed' })
  @IsString()
  @MaxLength(4096)
  message: string;

  @ApiProperty({ description: 'The EIP-191 signature of the message, 0x-prefixed' })
  @IsString()
  @Matches(/^0x[0-9a-fA-F]{130}$/, { message: 'signature must be a 65-byte 0x-prefixed hex' })
  signature: string;
}

export class UserResponse {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty({ enum: ['investor', 'operator', 'compliance', 'admin'] }) role: string;
}

export class SessionResponse {
  @ApiProperty({ description: 'JWT for Authorization: Bearer' }) accessToken: string;
  @ApiProperty({ example: 'Bearer' }) tokenType: 'Bearer';
  @ApiProperty({ description: 'Seconds the access token is valid' }) expiresIn: number;
  @ApiProperty({ description: 'Single use: exchange it at POST /auth/refresh' })
  refreshToken: string;
  @ApiProperty() refreshExpiresAt: string;
  @ApiProperty({ type: UserResponse }) user: UserResponse;
}

export class SiweChallengeResponse {
  @ApiProperty() domain: string;
  @ApiProperty() uri: string;
  @ApiProperty() chainId: number;
  @ApiProperty() version: string;
  @ApiProperty() nonce: string;
  @ApiProperty() statement: string;
  @ApiProperty() issuedAt: string;
  @ApiProperty({ description: 'The message must carry this (or an earlier) expiration time' })
  expirationTime: string;
}

export class MeResponse extends UserResponse {
  @ApiProperty({ enum: ['access-token', 'api-key'] }) via: string;
  @ApiProperty({ required: false, type: [String] }) scopes?: string[];
}
