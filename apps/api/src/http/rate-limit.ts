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
  auth: { per: 'address', store: 'redis' },
  siwe: { per: 'address', store: 'redis' },
  orders: { per: 'account', store: 'memory' },
} as const;
export type RateLimitName = keyof typeof RATE_LIMITS;

const RATE_LIMIT = 'gpu:rate-limit';

/** Counts each call of the route against the named limit; over it, 429 RATE_LIMITED. */
export const RateLimit = (name: RateLimitName): MethodDecorator & ClassDecorator =>
  SetMetadata(RATE_LIMIT, name);

const WINDOW_SECONDS = 60;

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
    const perMinute: Record<RateLimitName, number> = {
      auth: config.RATE_LIMIT_AUTH_PER_MINUTE,
      siwe: config.RATE_LIMIT_SIWE_PER_MINUTE,
      orders: config.RATE_LIMIT_ORDERS_PER_MINUTE,
    };
    const limiter = (name: RateLimitName): RateLimiterAbstract => {
      const window = { points: perMinute[name], duration: WINDOW_SECONDS };
      if (RATE_LIMITS[name].store === 'memory') return new RateLimiterMemory(window);
      return new RateLimiterRedis({
        ...window,
        storeClient: this.redis,
        keyPrefix: `${config.QUEUE_PREFIX}:rate-limit:${name}`,
        insuranceLimiter: new RateLimiterMemory(window),
      });
    };
    this.limiters = { auth: limiter('auth'), siwe: limiter('siwe'), orders: limiter('orders') };
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const name = this.reflector.getAllAndOverride<RateLimitName | undefined>(RATE_LIMIT, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!name) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key =
      RATE_LIMITS[name].per === 'account' && request.principal
        ? `account:${request.principal.userId}`
        : `address:${request.ip}`;
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
    return true;
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
