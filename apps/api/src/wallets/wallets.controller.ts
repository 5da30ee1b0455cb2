import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { RateLimit } from '../http/rate-limit';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Actor } from '@gpu/audit';
import { type Principal, SiweService, WalletsService } from '@gpu/identity';
import { CurrentPrincipal, RequestActor, Roles } from '../auth/access-policy';
import { SiweChallengeResponse, SiweRequest } from '../auth/dto/auth.dto';
import { toChallengeResponse } from '../auth/session.mapper';
import { toWalletResponse, WalletResponse } from './dto/wallets.dto';

/** An investor's wallets, linked by signing a Sign-In with Ethereum message. */
@ApiTags('wallets')
@ApiBearerAuth()
@Roles(['investor'])
@Controller('wallets')
export class WalletsController {
  constructor(
    private readonly siwe: SiweService,
    private readonly wallets: WalletsService,
  ) {}

  @Post('nonce')
  @RateLimit('siwe')
  @HttpCode(200)
  @ApiOperation({ summary: 'A single-use nonce and the fields of the message to sign' })
  @ApiOkResponse({ type: SiweChallengeResponse })
  async nonce(@CurrentPrincipal() principal: Principal): Promise<SiweChallengeResponse> {
    return toChallengeResponse(await this.siwe.challenge('link', principal.userId));
  }

  @Post()
  @RateLimit('siwe')
  @ApiOperation({
    summary:
      'Link the wallet that signed the message; with a valid KYC approval it is registered on chain',
  })
  @ApiCreatedResponse({ type: WalletResponse })
  async link(
    @Body() body: SiweRequest,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
  ): Promise<WalletResponse> {
    return toWalletResponse(
      await this.siwe.link(principal.userId, body.message, body.signature, actor),
    );
  }

  @Get()
  @ApiOperation({ summary: 'Your linked wallets' })
  @ApiOkResponse({ type: [WalletResponse] })
  async list(@CurrentPrincipal() principal: Principal): Promise<WalletResponse[]> {
    return (await this.wallets.ofUser(principal.userId)).map(toWalletResponse);
  }
}
