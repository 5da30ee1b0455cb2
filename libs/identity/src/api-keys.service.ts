import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { type Actor, AuditLog } from '@gpu/audit';
import { ApiKey, type ApiKeyScope } from './entities/api-key.entity';
import { User } from './entities/user.entity';
import { IdentityError } from './identity.errors';
import type { Principal } from './principal';
import { digestsEqual, randomSecret, sha256Hex } from './secrets';

const KEY_FORMAT =
  /^gpk_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_([0-9a-f]{64})$/;

export interface IssuedApiKey {
  apiKey: ApiKey;
  /** `gpk_<id>_<secret>`: shown once, never stored. */
  key: string;
}

/** Scoped, revocable API keys for an operator's own automation. */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  async issue(
    ownerId: string,
    name: string,
    scopes: ApiKeyScope[],
    expiresAt: Date | null,
    actor: Actor,
  ): Promise<IssuedApiKey> {
    const secret = randomSecret();
    return this.dataSource.transaction(async (manager) => {
      const apiKey = manager.create(ApiKey, {
        userId: ownerId,
        name,
        scopes: [...new Set(scopes)].sort(),
        secretHash: sha256Hex(secret),
        expiresAt,
      });
      await manager.save(apiKey);
      await this.audit.record(manager, actor, 'api-key.issue', `api-key:${apiKey.id}`, {
        ownerId,
        name,
        scopes: apiKey.scopes,
        expiresAt,
      });
      return { apiKey, key: `gpk_${apiKey.id}_${secret}` };
    });
  }

  list(ownerId: string): Promise<ApiKey[]> {
    return this.dataSource.getRepository(ApiKey).find({
      where: { userId: ownerId },
      order: { createdAt: 'DESC' },
    });
  }

  /** Revokes one of the owner's keys; another user's key is "not found". */
  async revoke(ownerId: string, id: string, actor: Actor): Promise<ApiKey> {
    return this.dataSource.transaction(async (manager) => {
      const apiKey = await manager.findOne(ApiKey, {
        where: { id, userId: ownerId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!apiKey) throw IdentityError.apiKeyNotFound();
      if (apiKey.revokedAt) return apiKey;
      apiKey.revokedAt = new Date();
      await manager.update(ApiKey, { id }, { revokedAt: apiKey.revokedAt });
      await this.audit.record(manager, actor, 'api-key.revoke', `api-key:${id}`, { ownerId });
      return apiKey;
    });
  }

  /** The principal an API key acts for: its owner, narrowed to the key's scopes. */
  async authenticate(key: string): Promise<Principal> {
    const match = KEY_FORMAT.exec(key);
    if (!match) throw IdentityError.tokenInvalid();
    const [, id, secret] = match;
    const apiKey = await this.dataSource
      .getRepository(ApiKey)
      .findOneBy({ id, revokedAt: IsNull() });
    const valid =
      apiKey &&
      digestsEqual(sha256Hex(secret), apiKey.secretHash) &&
      (!apiKey.expiresAt || apiKey.expiresAt > new Date());
    if (!valid) throw IdentityError.tokenInvalid();
    const owner = await this.dataSource
      .getRepository(User)
      .findOneBy({ id: apiKey.userId, status: 'active' });
    if (!owner) throw IdentityError.tokenInvalid();
    await this.dataSource.query(
      `UPDATE api_key SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [id],
    );
    return {
      userId: owner.id,
      role: owner.role,
      via: 'api-key',
      apiKeyId: apiKey.id,
      scopes: apiKey.scopes,
    };
  }
}
