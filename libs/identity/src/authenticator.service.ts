import { Injectable } from '@nestjs/common';
import { ApiKeysService } from './api-keys.service';
import { IdentityError } from './identity.errors';
import type { Principal } from './principal';
import { SessionsService } from './sessions.service';
import { UsersService } from './users.service';

export interface Credentials {
  /** The Authorization header. */
  authorization?: string;
  /** The X-Api-Key header. */
  apiKey?: string;
}

/**
 * Resolves a request's credentials to a principal. The account is read on every request, so a
 * disabled account, a changed role or ended sessions take effect at once, not when tokens expire.
 */
@Injectable()
export class Authenticator {
  constructor(
    private readonly sessions: SessionsService,
    private readonly apiKeys: ApiKeysService,
    private readonly users: UsersService,
  ) {}

  /** The principal, or undefined when the request carries no credentials at all. */
  async authenticate(credentials: Credentials): Promise<Principal | undefined> {
    const { authorization, apiKey } = credentials;
    if (authorization !== undefined && apiKey !== undefined) throw IdentityError.tokenInvalid();
    if (apiKey !== undefined) return this.apiKeys.authenticate(apiKey);
    if (authorization === undefined) return undefined;
    const match = /^Bearer ([A-Za-z0-9_.-]{1,4096})$/.exec(authorization);
    if (!match) throw IdentityError.tokenInvalid();
    const { userId, sessionVersion } = await this.sessions.verifyAccessToken(match[1]);
    const user = await this.users.activeUser(userId);
    if (user.sessionVersion !== sessionVersion) throw IdentityError.tokenInvalid();
    return { userId: user.id, role: user.role, via: 'access-token' };
  }
}
