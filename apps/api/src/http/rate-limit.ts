import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import type IORedis from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { DomainError, withTimeout } from '@gpu/common';
import { AppConfig } from '@gpu/config';
import { createRedisConnection } from '@gpu/queue';
import type { AuthenticatedRequest } from '../auth/access-policy';

/**
 * What is limited, by what, and where it is counted. Guesses at credentials and signatures are
 * counted in Redis, shared by every API instance: spreading them over instances gains nothing.
 * Orders, the hot path, are counted in each instance's memory (no round trip per order): a client
 * spread over N instances gets at most N times the limit.
 */
export const RATE_LIMITS = {
  auth: { per: 'address', store: 'redis', windowSeconds: 60 },
  /** Guesses at one account's password, from however many addresses. */
  signInEmail: { per: 'email', store: 'redis', windowSeconds: 3600 },
  siwe: { per: 'address', store: 'redis', windowSeconds: 60 },
  orders: { per: 'account', store: 'memory', windowSeconds: 60 },
} as const;
export type RateLimitName = keyof typeof RATE_LIMITS;

const RATE_LIMIT = 'gpu:rate-limit';

/** Counts each call of the route against the named limits; over one, 429 RATE_LIMITED. */
export const RateLimit = (...names: RateLimitName[]): MethodDecorator & ClassDecorator =>
  SetMetadata(RATE_LIMIT, names);

/**
 * Fixed one-minute windows. While Redis is away, the limits it counts are counted in memory:
 * they hold, per instance, rather than fall. A guard, registered after the authentication guard:
 * it knows the account, and (unlike an interceptor) costs the routes it does not limit nothing.
 */
@Injectable()
export class RateLimitGuard implements CanActivate, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RateLimitGuard.name);
  private readonly redis: IORedis;
  private readonly connectWaitMs: number;
  private readonly limiters: Record<RateLimitName, RateLimiterAbstract>;

  constructor(
    private readonly reflector: Reflector,
    config: AppConfig,
  ) {
    this.redis = createRedisConnection(config.REDIS_URL, 'limiter');
    this.connectWaitMs = config.HEALTH_TIMEOUT_MS;
    const points: Record<RateLimitName, number> = {
      auth: config.RATE_LIMIT_AUTH_PER_MINUTE,
      signInEmail: config.RATE_LIMIT_SIGN_IN_PER_EMAIL_PER_HOUR,
      siwe: config.RATE_LIMIT_SIWE_PER_MINUTE,
      orders: config.RATE_LIMIT_ORDERS_PER_MINUTE,
    };
    const limiter = (name: RateLimitName): RateLimiterAbstract => {
      const window = { points: points[name], duration: RATE_LIMITS[name].windowSeconds };
      if (RATE_LIMITS[name].store === 'memory') return new RateLimiterMemory(window);
      return new RateLimiterRedis({
        ...window,
        storeClient: this.redis,
        keyPrefix: `${config.QUEUE_PREFIX}:rate-limit:${name}`,
        insuranceLimiter: new RateLimiterMemory(window),
      });
    };
    this.limiters = {
      auth: limiter('auth'),
      signInEmail: limiter('signInEmail'),
      siwe: limiter('siwe'),
      orders: limiter('orders'),
    };
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const names = this.reflector.getAllAndOverride<RateLimitName[] | undefined>(RATE_LIMIT, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!names) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    for (const name of names) {
      const key = this.keyOf(name, request);
      if (key === null) continue;
      try {
        await this.limiters[name].consume(key);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        void context
          .switchToHttp()
          .getResponse<FastifyReply>()
          .header('retry-after', retryAfterSeconds);
        throw new DomainError(
          'RATE_LIMITED',
          'rate_limited',
          `Too many requests: try again in ${retryAfterSeconds} s`,
          { limit: name, retryAfterSeconds },
        );
      }
    }
    return true;
  }

  /** What the request is counted by under `name`; null when it names no email to count. */
  private keyOf(name: RateLimitName, request: AuthenticatedRequest): string | null {
    switch (RATE_LIMITS[name].per) {
      case 'address':
        return `address:${clientNetwork(request.ip)}`;
      case 'account':
        // Registered after the authentication guard, which sets the principal.
        if (!request.principal) throw new Error(`rate limit '${name}' without a principal`);
        return `account:${request.principal.userId}`;
      case 'email': {
        const email = (request.body as { email?: unknown } | undefined)?.email;
        return typeof email === 'string' ? `email:${email.trim().toLowerCase()}` : null;
      }
    }
  }

  /**
   * Waits (a little) for Redis before the API takes requests: until it is there, counts go to
   * memory, and would be counted apart from the shared ones.
   */
  async onModuleInit(): Promise<void> {
    if (this.redis.status === 'ready') return;
    const ready = new Promise<void>((resolve) => this.redis.once('ready', () => resolve()));
    await withTimeout(ready, this.connectWaitMs, 'Redis for rate limits').catch(() =>
      this.logger.warn('Redis is not there yet: rate limits are counted in memory until it is'),
    );
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}

/**
 * What one client controls: an IPv4 address, or the /64 of an IPv6 one (a single host commonly
 * holds a whole /64 and could rotate through it). IPv4-mapped IPv6 addresses count as IPv4.
 */
export function clientNetwork(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (!ip.includes(':')) return ip;
  const [head, tail = ''] = ip.toLowerCase().split('%')[0].split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
