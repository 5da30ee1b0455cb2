import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  type OnModuleDestroy,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import type IORedis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Observable } from 'rxjs';
import { DomainError } from '@gpu/common';
import { AppConfig } from '@gpu/config';
import { createRedisConnection } from '@gpu/queue';
import type { AuthenticatedRequest } from '../auth/access-policy';

/**
 * What is limited, and by what: sign-in, registration, refresh and password changes per client
 * address; SIWE challenges and signatures per client address; orders per account.
 */
export const RATE_LIMITS = {
  auth: 'address',
  siwe: 'address',
  orders: 'account',
} as const;
export type RateLimitName = keyof typeof RATE_LIMITS;

const RATE_LIMIT = 'gpu:rate-limit';

/** Counts each call of the route against the named limit; over it, 429 RATE_LIMITED. */
export const RateLimit = (name: RateLimitName): MethodDecorator & ClassDecorator =>
  SetMetadata(RATE_LIMIT, name);

const WINDOW_SECONDS = 60;

/**
 * Fixed one-minute windows counted in Redis, so that every API instance shares them. While Redis
 * is away each instance counts in memory instead: limits hold, per instance, rather than fall.
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor, OnModuleDestroy {
  private readonly redis: IORedis;
  private readonly limiters: Record<RateLimitName, RateLimiterRedis>;

  constructor(
    private readonly reflector: Reflector,
    config: AppConfig,
  ) {
    this.redis = createRedisConnection(config.REDIS_URL, 'limiter');
    const perMinute: Record<RateLimitName, number> = {
      auth: config.RATE_LIMIT_AUTH_PER_MINUTE,
      siwe: config.RATE_LIMIT_SIWE_PER_MINUTE,
      orders: config.RATE_LIMIT_ORDERS_PER_MINUTE,
    };
    const limiter = (name: RateLimitName) =>
      new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${config.QUEUE_PREFIX}:rate-limit:${name}`,
        points: perMinute[name],
        duration: WINDOW_SECONDS,
        insuranceLimiter: new RateLimiterMemory({
          points: perMinute[name],
          duration: WINDOW_SECONDS,
        }),
      });
    this.limiters = { auth: limiter('auth'), siwe: limiter('siwe'), orders: limiter('orders') };
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const name = this.reflector.getAllAndOverride<RateLimitName | undefined>(RATE_LIMIT, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!name) return next.handle();
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key =
      RATE_LIMITS[name] === 'account' && request.principal
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
    return next.handle();
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
