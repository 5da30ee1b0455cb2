import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { type Actor } from '@gpu/audit';
import { actorOf, type ApiKeyScope, type Principal, type UserRole } from '@gpu/identity';

export const ACCESS_POLICY = 'gpu:access-policy';

/** Who may call a route. Every route declares one; the guard refuses to start otherwise. */
export type AccessPolicy =
  { public: true } | { roles: readonly UserRole[]; apiKeyScope?: ApiKeyScope };

/** Anyone, signed in or not. */
export const Public = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ACCESS_POLICY, { public: true } satisfies AccessPolicy);

/**
 * Signed-in users of these roles. API keys are refused unless `apiKeyScope` is named and the key
 * carries it (its owner must still have one of the roles).
 */
export const Roles = (
  roles: readonly UserRole[],
  apiKeyScope?: ApiKeyScope,
): MethodDecorator & ClassDecorator =>
  SetMetadata(ACCESS_POLICY, { roles, apiKeyScope } satisfies AccessPolicy);

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/** The principal the guard authenticated. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!request.principal) throw new Error('CurrentPrincipal on a route without authentication');
    return request.principal;
  },
);

/** The audit log's actor for this request: the principal and the request id. */
export const RequestActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.principal) throw new Error('RequestActor on a route without authentication');
  return actorOf(request.principal, request.id);
});

/** The request id (for routes without a principal). */
export const RequestId = createParamDecorator(
  (_: unknown, context: ExecutionContext): string =>
    context.switchToHttp().getRequest<FastifyRequest>().id,
);
