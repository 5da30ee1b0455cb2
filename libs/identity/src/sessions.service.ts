import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { type Actor, AuditLog } from '@gpu/audit';
import { AppConfig } from '@gpu/config';
import { RefreshToken } from './entities/refresh-token.entity';
import { User, type UserRole, USER_ROLES } from './entities/user.entity';
import { IdentityError } from './identity.errors';
import { randomSecret, sha256Hex } from './secrets';

export const JWT_ISSUER = 'gpu-rwa';
export const JWT_AUDIENCE = 'gpu-rwa-api';

export interface Session {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: Date;
  user: { id: string; email: string; role: UserRole };
}

interface AccessClaims {
  sub: string;
  role: UserRole;
  typ: 'access';
  /** The user's session version when it was issued. */
  sv: number;
}

/**
 * Access tokens (short-lived JWTs, HS256) and refresh tokens (opaque, kept hashed, single use,
 * rotated in families).
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  /** A new session for `user`, in the caller's transaction. */
  async open(
    manager: EntityManager,
    user: User,
    familyId: string = randomUUID(),
  ): Promise<Session> {
    const refreshToken = `rt_${randomSecret()}`;
    const refreshExpiresAt = new Date(Date.now() + this.config.REFRESH_TOKEN_TTL_SECONDS * 1000);
    await manager.insert(RefreshToken, {
      userId: user.id,
      familyId,
      tokenHash: sha256Hex(refreshToken),
      expiresAt: refreshExpiresAt,
    });
    const claims: AccessClaims = {
      sub: user.id,
      role: user.role,
      typ: 'access',
      sv: user.sessionVersion,
    };
    return {
      accessToken: await this.jwt.signAsync(claims),
      tokenType: 'Bearer',
      expiresIn: this.config.JWT_ACCESS_TTL_SECONDS,
      refreshToken,
      refreshExpiresAt,
      user: { id: user.id, email: user.email, role: user.role },
    };
  }

  /** Whom an access token speaks for, and its session version; any flaw (signature, expiry, audience, type) is one refusal. */
  async verifyAccessToken(token: string): Promise<{ userId: string; sessionVersion: number }> {
    try {
      const claims = await this.jwt.verifyAsync<AccessClaims>(token);
      if (claims.typ !== 'access' || !USER_ROLES.includes(claims.role)) throw new Error('claims');
      if (!Number.isSafeInteger(claims.sv)) throw new Error('claims');
      return { userId: claims.sub, sessionVersion: claims.sv };
    } catch {
      throw IdentityError.tokenInvalid();
    }
  }

  /**
   * Exchanges a refresh token for a new session of the same family. A token presented a second
   * time means it was copied: the whole family is revoked, and the caller must sign in again.
   */
  async refresh(refreshToken: string): Promise<Session> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      const token = await manager.findOne(RefreshToken, {
        where: { tokenHash: sha256Hex(refreshToken) },
        lock: { mode: 'pessimistic_write' },
      });
      if (!token || token.revokedAt || token.expiresAt <= new Date()) return undefined;
      if (token.usedAt) {
        // A copy is in someone's hands: end the family and every access token of the account.
        await this.revokeFamily(manager, token.familyId);
        await manager.increment(User, { id: token.userId }, 'sessionVersion', 1);
        await this.audit.record(
          manager,
          { id: `user:${token.userId}`, role: 'unknown' },
          'auth.refresh-token-reused',
          `user:${token.userId}`,
          { familyId: token.familyId },
        );
        return undefined;
      }
      const user = await manager.findOneBy(User, { id: token.userId, status: 'active' });
      if (!user) return undefined;
      await manager.update(RefreshToken, { id: token.id }, { usedAt: new Date() });
      return this.open(manager, user, token.familyId);
    });
    if (!outcome) throw IdentityError.refreshTokenInvalid();
    return outcome;
  }

  /** Signs out the session the refresh token belongs to (its whole family). Unknown tokens are ignored. */
  async close(refreshToken: string, actor: Actor): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const token = await manager.findOneBy(RefreshToken, { tokenHash: sha256Hex(refreshToken) });
      if (!token || actor.id !== `user:${token.userId}`) return;
      const revoked = await this.revokeFamily(manager, token.familyId);
      if (revoked > 0)
        await this.audit.record(manager, actor, 'auth.sign-out', `user:${token.userId}`, {
          familyId: token.familyId,
        });
    });
  }

  /** Ends every session of a user (password change, account disabled), access tokens included. */
  async revokeAll(manager: EntityManager, userId: string): Promise<number> {
    await manager.increment(User, { id: userId }, 'sessionVersion', 1);
    const result = await manager.update(
      RefreshToken,
      { userId, revokedAt: IsNull() },
      { revokedAt: new Date() },
    );
    return result.affected ?? 0;
  }

  private async revokeFamily(manager: EntityManager, familyId: string): Promise<number> {
    const result = await manager.update(
      RefreshToken,
      { familyId, revokedAt: IsNull() },
      { revokedAt: new Date() },
    );
    return result.affected ?? 0;
  }
}
