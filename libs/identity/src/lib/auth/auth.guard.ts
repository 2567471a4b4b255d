import { applyDecorators, CanActivate, createParamDecorator, ExecutionContext, Injectable, SetMetadata, UnauthorizedException, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AuthUser, forbidden, Role, ROLES } from '@htx/shared';

const ROLES_KEY = 'htx:roles';

export interface TokenClaims {
  sub: string;
  email: string;
  role: Role;
  coop: string | null;
}

type RequestWithUser = { headers: Record<string, string | string[] | undefined>; user?: AuthUser };

/** Verifies the bearer token and checks the caller's role against the handler's @Auth(...) roles. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly jwt: JwtService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithUser>();
    const header = request.headers['authorization'];
    const value = Array.isArray(header) ? header[0] : header;
    const match = value?.match(/^Bearer\s+(\S+)$/i);
    if (!match) {
      throw new UnauthorizedException('Cần đăng nhập / Sign in first: send an Authorization: Bearer <token> header');
    }
    let claims: TokenClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(match[1], { algorithms: ['HS256'] });
    } catch (e) {
      const expired = (e as Error).name === 'TokenExpiredError';
      throw new UnauthorizedException(
        expired ? 'Phiên đăng nhập đã hết hạn / Your session has expired: sign in again' : 'Mã đăng nhập không hợp lệ / The token is not valid: sign in again',
      );
    }
    if (!ROLES.includes(claims.role) || typeof claims.sub !== 'string') {
      throw new UnauthorizedException('Mã đăng nhập không hợp lệ / The token is not valid: sign in again');
    }
    const user: AuthUser = { userId: claims.sub, email: claims.email, role: claims.role, cooperativeId: claims.coop ?? null };
    request.user = user;
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (allowed && allowed.length > 0 && !allowed.includes(user.role)) {
      throw forbidden(`Bạn không có quyền làm việc này / Your role (${user.role}) may not do this; allowed: ${allowed.join(', ')}`);
    }
    return true;
  }
}

/** Marks a controller or handler as needing a signed-in user, optionally with one of the given roles. */
export function Auth(...roles: Role[]) {
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    UseGuards(AuthGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing, expired or invalid token' }),
    ApiForbiddenResponse({ description: 'Role or cooperative not allowed' }),
  );
}

/** The signed-in user (requires @Auth on the handler or its controller). */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthUser => {
  const user = context.switchToHttp().getRequest<RequestWithUser>().user;
  if (!user) throw new UnauthorizedException('Cần đăng nhập / Sign in first');
  return user;
});
