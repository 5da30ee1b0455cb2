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
import {
  type Principal,
  SessionsService,
  SiweService,
  UsersService,
  USER_ROLES,
} from '@gpu/identity';
import { CurrentPrincipal, Public, RequestActor, RequestId, Roles } from './access-policy';
import {
  ChangePasswordRequest,
  MeResponse,
  RefreshRequest,
  RegisterRequest,
  SessionResponse,
  SignInRequest,
  SiweChallengeResponse,
  SiweRequest,
} from './dto/auth.dto';
import { toChallengeResponse, toSessionResponse } from './session.mapper';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly siwe: SiweService,
  ) {}

  @Post('register')
  @Public()
  @RateLimit('auth')
  @ApiOperation({ summary: 'Register as an investor; signs you in' })
  @ApiCreatedResponse({ type: SessionResponse })
  async register(
    @Body() body: RegisterRequest,
    @RequestId() requestId: string,
  ): Promise<SessionResponse> {
    return toSessionResponse(
      await this.users.registerInvestor(body.email, body.password, requestId),
    );
  }

  @Post('sign-in')
  @Public()
  @RateLimit('auth', 'signInEmail')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with email and password' })
  @ApiOkResponse({ type: SessionResponse })
  async signIn(
    @Body() body: SignInRequest,
    @RequestId() requestId: string,
  ): Promise<SessionResponse> {
    return toSessionResponse(await this.users.signIn(body.email, body.password, requestId));
  }

  @Post('siwe/nonce')
  @Public()
  @RateLimit('siwe')
  @HttpCode(200)
  @ApiOperation({ summary: 'A nonce to sign in with a linked wallet (Sign-In with Ethereum)' })
  @ApiOkResponse({ type: SiweChallengeResponse })
  async siweNonce(): Promise<SiweChallengeResponse> {
    return toChallengeResponse(await this.siwe.challenge('sign-in', null));
  }

  @Post('siwe')
  @Public()
  @RateLimit('siwe')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with a signed EIP-4361 message from a linked wallet' })
  @ApiOkResponse({ type: SessionResponse })
  async siweSignIn(
    @Body() body: SiweRequest,
    @RequestId() requestId: string,
  ): Promise<SessionResponse> {
    return toSessionResponse(await this.siwe.signIn(body.message, body.signature, requestId));
  }

  @Post('refresh')
  @Public()
  @RateLimit('auth')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token for a new session (the old token is spent)' })
  @ApiOkResponse({ type: SessionResponse })
  async refresh(@Body() body: RefreshRequest): Promise<SessionResponse> {
    return toSessionResponse(await this.sessions.refresh(body.refreshToken));
  }

  @Post('sign-out')
  @Roles(USER_ROLES)
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'End the session the refresh token belongs to' })
  async signOut(@Body() body: RefreshRequest, @RequestActor() actor: Actor): Promise<void> {
    await this.sessions.close(body.refreshToken, actor);
  }

  @Post('password')
  @Roles(USER_ROLES)
  @RateLimit('auth')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Change your password; every other session ends' })
  @ApiOkResponse({ type: SessionResponse })
  async changePassword(
    @Body() body: ChangePasswordRequest,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
  ): Promise<SessionResponse> {
    return toSessionResponse(
      await this.users.changePassword(principal, body.currentPassword, body.newPassword, actor),
    );
  }

  @Get('me')
  @Roles(USER_ROLES, 'profile:read')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Who you are signed in as' })
  @ApiOkResponse({ type: MeResponse })
  async me(@CurrentPrincipal() principal: Principal): Promise<MeResponse> {
    const user = await this.users.findById(principal.userId);
    return {
      id: user.id,
      email: user.email,
      role: user.role,
      via: principal.via,
      ...(principal.scopes ? { scopes: [...principal.scopes] } : {}),
    };
  }
}
