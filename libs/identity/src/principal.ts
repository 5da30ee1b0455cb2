import { type Actor, userActor } from '@gpu/audit';
import type { ApiKeyScope } from './entities/api-key.entity';
import type { UserRole } from './entities/user.entity';

/** Who is calling: a signed-in user, or an operator's API key acting for its owner. */
export interface Principal {
  userId: string;
  role: UserRole;
  via: 'access-token' | 'api-key';
  /** Set for API keys only. */
  apiKeyId?: string;
  scopes?: readonly ApiKeyScope[];
}

/** The audit log's view of a principal in one request. */
export function actorOf(principal: Principal, requestId?: string | null): Actor {
  const actor = userActor(principal.userId, principal.role, requestId);
  return principal.apiKeyId ? { ...actor, id: `${actor.id}/api-key:${principal.apiKeyId}` } : actor;
}
