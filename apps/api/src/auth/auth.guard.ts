import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { Authenticator, IdentityError } from '@gpu/identity';
import { ACCESS_POLICY, type AccessPolicy, type AuthenticatedRequest } from './access-policy';

/** A route was written without saying who may call it. */
export class MissingAccessPolicyError extends Error {
  constructor(readonly routes: string[]) {
    super(`Every route needs @Public() or @Roles(...); these have neither: ${routes.join(', ')}`);
    this.name = 'MissingAccessPolicyError';
  }
}

/**
 * Authorises every request by the route's declared policy: deny by default, roles checked
 * against the account as it is now, API keys only where a scope allows them. Ownership is the
 * use case's part: it scopes every read and write to the principal.
 */
@Injectable()
export class AuthGuard implements CanActivate, OnApplicationBootstrap {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  /** Refuses to start with a route that declares no policy. */
  onApplicationBootstrap(): void {
    const missing: string[] = [];
    for (const controller of this.discovery.getControllers()) {
      const instance = controller.instance as object;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[name] as () => unknown;
        if (!Reflect.hasMetadata('path', handler)) continue;
        const policy = this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, [
          handler,
          controller.metatype as () => unknown,
        ]);
        if (!policy) missing.push(`${controller.name}.${name}`);
      }
    }
    if (missing.length) throw new MissingAccessPolicyError(missing);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!policy) throw IdentityError.roleForbidden('unknown');
    if ('public' in policy) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.authenticator.authenticate({
      authorization: header(request.headers.authorization),
      apiKey: header(request.headers['x-api-key']),
    });
    if (!principal) throw IdentityError.authenticationRequired();
    if (principal.via === 'api-key') {
      const scope = policy.apiKeyScope;
      if (!scope || !principal.scopes?.includes(scope))
        throw IdentityError.apiKeyScopeMissing(scope);
    }
    if (!policy.roles.includes(principal.role)) throw IdentityError.roleForbidden(principal.role);
    request.principal = principal;
    return true;
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}
