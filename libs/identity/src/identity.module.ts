import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChainModule } from '@gpu/chain';
import { AppConfig, jwtSecret } from '@gpu/config';
import { ApiKeysService } from './api-keys.service';
import { Authenticator } from './authenticator.service';
import { ApiKey } from './entities/api-key.entity';
import { RefreshToken } from './entities/refresh-token.entity';
import { SiweNonce } from './entities/siwe-nonce.entity';
import { User } from './entities/user.entity';
import { Wallet } from './entities/wallet.entity';
import { PasswordHasher } from './password-hasher';
import { JWT_AUDIENCE, JWT_ISSUER, SessionsService } from './sessions.service';
import { SiweService } from './siwe.service';
import { UsersService } from './users.service';
import { WalletsService } from './wallets.service';

export const IDENTITY_ENTITIES = [User, RefreshToken, ApiKey, Wallet, SiweNonce];

/** Users, roles, sessions, API keys and wallets linked with Sign-In with Ethereum. */
@Module({
  imports: [
    TypeOrmModule.forFeature(IDENTITY_ENTITIES),
    ChainModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // A KeyObject made once: given a string, jsonwebtoken tries it as a public key on every call.
        secret: createSecretKey(Buffer.from(jwtSecret(config))) as unknown as string,
        signOptions: {
          algorithm: 'HS256',
          expiresIn: config.JWT_ACCESS_TTL_SECONDS,
          issuer: JWT_ISSUER,
          audience: JWT_AUDIENCE,
        },
        verifyOptions: { algorithms: ['HS256'], issuer: JWT_ISSUER, audience: JWT_AUDIENCE },
      }),
    }),
  ],
  providers: [
    PasswordHasher,
    SessionsService,
    UsersService,
    ApiKeysService,
    Authenticator,
    SiweService,
    WalletsService,
  ],
  exports: [
    UsersService,
    SessionsService,
    ApiKeysService,
    Authenticator,
    SiweService,
    WalletsService,
  ],
})
export class IdentityModule {}
