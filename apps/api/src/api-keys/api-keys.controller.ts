import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Actor } from '@gpu/audit';
import { ApiKeysService, type Principal } from '@gpu/identity';
import { CurrentPrincipal, RequestActor, Roles } from '../auth/access-policy';
import { uuidPipe } from '../http/uuid.pipe';
import {
  ApiKeyResponse,
  CreateApiKeyRequest,
  IssuedApiKeyResponse,
  toApiKeyResponse,
} from './dto/api-keys.dto';

const DAY_MS = 86_400_000;

/** An operator's keys for their own automation; only they see and revoke them. */
@ApiTags('api-keys')
@ApiBearerAuth()
@Roles(['operator'])
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @ApiOperation({ summary: 'Issue a scoped API key (the key is shown once)' })
  @ApiCreatedResponse({ type: IssuedApiKeyResponse })
  async issue(
    @Body() body: CreateApiKeyRequest,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
  ): Promise<IssuedApiKeyResponse> {
    const expiresAt = body.expiresInDays
      ? new Date(Date.now() + body.expiresInDays * DAY_MS)
      : null;
    const issued = await this.apiKeys.issue(
      principal.userId,
      body.name,
      body.scopes,
      expiresAt,
      actor,
    );
    return { ...toApiKeyResponse(issued.apiKey), key: issued.key };
  }

  @Get()
  @ApiOperation({ summary: 'Your API keys (never the secrets)' })
  @ApiOkResponse({ type: [ApiKeyResponse] })
  async list(@CurrentPrincipal() principal: Principal): Promise<ApiKeyResponse[]> {
    return (await this.apiKeys.list(principal.userId)).map(toApiKeyResponse);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke one of your API keys' })
  @ApiOkResponse({ type: ApiKeyResponse })
  async revoke(
    @Param('id', uuidPipe) id: string,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
  ): Promise<ApiKeyResponse> {
    return toApiKeyResponse(await this.apiKeys.revoke(principal.userId, id, actor));
  }
}
