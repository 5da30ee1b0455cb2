import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { AppConfig } from '@gpu/config';
import { ChainHealthIndicator } from '@gpu/chain';
import { RedisHealth } from '@gpu/queue';
import { Public } from '../auth/access-policy';

/** Liveness of the three dependencies. Each check gives up after HEALTH_TIMEOUT_MS. */
@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly redis: RedisHealth,
    private readonly chain: ChainHealthIndicator,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOkResponse({ description: 'Postgres, Redis and the chain are up' })
  @ApiServiceUnavailableResponse({
    description: 'At least one dependency is down; the body says which',
  })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.postgres.pingCheck('postgres', { timeout: this.config.HEALTH_TIMEOUT_MS }),
        async () => {
          const { up, ...details } = await this.redis.check();
          const indicator = this.indicators.check('redis');
          return up ? indicator.up(details) : indicator.down(details);
        },
        async () => {
          const { up, ...details } = await this.chain.check();
          const indicator = this.indicators.check('chain');
          return up ? indicator.up(details) : indicator.down(details);
        },
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
