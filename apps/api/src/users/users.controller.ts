import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Actor } from '@gpu/audit';
import { type Principal, UsersService } from '@gpu/identity';
import { CurrentPrincipal, RequestActor, Roles } from '../auth/access-policy';
import { uuidPipe } from '../http/uuid.pipe';
import {
  CreateStaffRequest,
  ListUsersQuery,
  StaffUserResponse,
  toStaffUserResponse,
} from './dto/users.dto';

/** Accounts, managed by admins. */
@ApiTags('users')
@ApiBearerAuth()
@Roles(['admin'])
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @ApiOperation({ summary: 'Create a staff account (operator, compliance or admin)' })
  @ApiCreatedResponse({ type: StaffUserResponse })
  async create(
    @Body() body: CreateStaffRequest,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
  ): Promise<StaffUserResponse> {
    const user = await this.users.createStaff(
      body.email,
      body.password,
      body.role,
      actor,
      principal.userId,
    );
    return toStaffUserResponse(user);
  }

  @Get()
  @ApiOperation({ summary: 'List accounts' })
  @ApiOkResponse({ type: [StaffUserResponse] })
  async list(@Query() query: ListUsersQuery): Promise<StaffUserResponse[]> {
    return (await this.users.list(query.role)).map(toStaffUserResponse);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One account' })
  @ApiOkResponse({ type: StaffUserResponse })
  async get(@Param('id', uuidPipe) id: string): Promise<StaffUserResponse> {
    return toStaffUserResponse(await this.users.findById(id));
  }

  @Post(':id/disable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disable an account: its sessions end and its API keys stop working' })
  @ApiOkResponse({ type: StaffUserResponse })
  async disable(
    @Param('id', uuidPipe) id: string,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
  ): Promise<StaffUserResponse> {
    return toStaffUserResponse(await this.users.disable(id, actor, principal.userId));
  }
}
