import {
  AppError,
  DependencyUnavailableError,
  ErrorCode,
  IS_PUBLIC,
  REQUIRED_ROLES,
  requestContext,
  type Role,
  type AuthUser,
} from '@app/core';
import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { AccessTokenSigner } from '../tokens/access-token.signer.js';
import { bearerToken } from '../tokens/jwt.strategy.js';

/**
 * The global guard: a route is open only when marked `@Public()`; any other needs a valid access token, and the
 * roles its `@Auth(...)` names.
 */
@Injectable()
export class AccessGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokenSigner,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) {
      // A public route still learns who is calling when a token comes along, so that a signed-in reader gets
      // read-your-writes. That is all it learns (no public handler reads the caller), so the signature and claims
      // suffice: no revocation lookup in Redis. A bad token just leaves the caller anonymous.
      const token = bearerToken(context.switchToHttp().getRequest<FastifyRequest>());
      const claims = token ? this.tokens.verify(token) : undefined;
      if (claims) requestContext.identify(`user:${claims.sub}`);
      return true;
    }
    await super.canActivate(context);
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets) ?? [];
    const user = context.switchToHttp().getRequest<{ user: AuthUser }>().user;
    if (roles.length > 0 && !roles.includes(user.role)) {
      throw new AppError(ErrorCode.Forbidden, `This needs the role ${roles.join(' or ')}`);
    }
    // A route that needs a role fails closed while the session store is away: a logout or a logout everywhere
    // that only it knows could otherwise be missed (SECURITY.md). The rest keep the documented trade-off.
    if (roles.length > 0 && !user.sessionChecked) throw new DependencyUnavailableError('session store');
    return true;
  }

  override handleRequest<T = AuthUser>(error: unknown, user: T | false): T {
    if (error instanceof AppError) throw error;
    if (!user) throw new AppError(ErrorCode.Unauthorized, 'Sign in: a valid access token is required');
    return user;
  }
}
