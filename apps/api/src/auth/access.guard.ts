import { AppError, ErrorCode, IS_PUBLIC, REQUIRED_ROLES, type AuthUser } from '@app/core';
import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';

/**
 * The global guard: a route is open only when marked `@Public()`; any other needs a valid access token, and the
 * roles its `@Auth(...)` names.
 */
@Injectable()
export class AccessGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) {
      // A public route still learns who is calling when a token comes along, so that a signed-in reader gets
      // read-your-writes; a bad token (or an unreachable Redis) just leaves the caller anonymous.
      if (context.switchToHttp().getRequest<FastifyRequest>().headers.authorization) {
        await Promise.resolve(super.canActivate(context)).catch(() => undefined);
      }
      return true;
    }
    await super.canActivate(context);
    const roles = this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_ROLES, targets) ?? [];
    const user = context.switchToHttp().getRequest<{ user: AuthUser }>().user;
    if (roles.length > 0 && !roles.includes(user.role)) {
      throw new AppError(ErrorCode.Forbidden, `This needs the role ${roles.join(' or ')}`);
    }
    return true;
  }

  override handleRequest<T = AuthUser>(error: unknown, user: T | false): T {
    if (error instanceof AppError) throw error;
    if (!user) throw new AppError(ErrorCode.Unauthorized, 'Sign in: a valid access token is required');
    return user;
  }
}
