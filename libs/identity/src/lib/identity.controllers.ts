import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import type { AuthUser } from '@htx/shared';
import { Auth, CurrentUser } from './auth/auth.guard';
import { CooperativeListQuery, CreateUserDto, LoginDto, ManageCooperativeListQuery, UpdateCooperativeDto, UserListQuery } from './dto';
import { IdentityService, loginRateLimit } from './identity.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly identity: IdentityService) {}

  @Post('login')
  @HttpCode(200)
  @Throttle({ default: { limit: () => loginRateLimit.perMinute, ttl: 60_000 } })
  @ApiOperation({ summary: 'Sign in with e-mail and password; returns a bearer token' })
  @ApiTooManyRequestsResponse({ description: 'Too many failed sign-ins for this account or address' })
  login(@Body() dto: LoginDto) {
    return this.identity.login(dto.email, dto.password);
  }

  @Get('me')
  @Auth()
  @ApiOperation({ summary: 'The signed-in user and their cooperative' })
  me(@CurrentUser() user: AuthUser) {
    return this.identity.me(user);
  }
}

@ApiTags('catalog')
@Controller('cooperatives')
export class PublicCooperativesController {
  constructor(private readonly identity: IdentityService) {}

  @Get()
  @ApiOperation({ summary: 'Cooperatives on the platform (public, paginated, searchable)' })
  list(@Query() q: CooperativeListQuery) {
    return this.identity.listPublicCooperatives(q);
  }

  @Get(':slug')
  @ApiOkResponse({ description: 'One cooperative' })
  get(@Param('slug') slug: string) {
    return this.identity.getPublicCooperative(slug);
  }
}

const uuidParam = new ParseUUIDPipe({ version: '4' });

@ApiTags('manage')
@Controller('manage/cooperatives')
@Auth('platform_admin', 'coop_manager', 'coop_member')
export class ManageCooperativesController {
  constructor(private readonly identity: IdentityService) {}

  @Get()
  @ApiOperation({ summary: 'Cooperatives the caller may manage (a manager sees only their own)' })
  list(@CurrentUser() user: AuthUser, @Query() q: ManageCooperativeListQuery) {
    return this.identity.listManagedCooperatives(user, q);
  }

  @Get(':id')
  get(@CurrentUser() user: AuthUser, @Param('id', uuidParam) id: string) {
    return this.identity.getManagedCooperative(user, id);
  }

  @Patch(':id')
  @Auth('platform_admin', 'coop_manager')
  update(@CurrentUser() user: AuthUser, @Param('id', uuidParam) id: string, @Body() dto: UpdateCooperativeDto) {
    return this.identity.updateCooperative(user, id, dto);
  }
}

@ApiTags('manage')
@Controller('manage/users')
@Auth('platform_admin', 'coop_manager')
export class ManageUsersController {
  constructor(private readonly identity: IdentityService) {}

  @Get()
  @ApiOperation({ summary: 'Accounts of the caller’s cooperative (admins: any cooperative)' })
  list(@CurrentUser() user: AuthUser, @Query() q: UserListQuery) {
    return this.identity.listUsers(user, q);
  }

  @Post()
  @ApiOperation({ summary: 'Create an account (managers: member accounts of their own cooperative)' })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateUserDto) {
    return this.identity.createUser(user, dto);
  }
}
