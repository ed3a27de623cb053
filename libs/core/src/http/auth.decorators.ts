import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiProblem } from './api-problem.decorator.js';

export const IS_PUBLIC = 'modak:public';
export const REQUIRED_ROLES = 'modak:roles';

/** Who is calling, once the access token is verified (`request.user`). */
export interface AuthUser {
  id: string;
  role: string;
  sessionId: string;
  /** The access token's id and expiry (seconds), for logout. */
  jti: string;
  exp: number;
  /**
   * False when the session store could not be asked and only the account was checked (ban, role): a logout or a
   * logout everywhere may then be missed, which admin routes do not accept.
   */
  sessionChecked: boolean;
}

/** Opens a route to anonymous callers. Every other route needs a valid access token (deny by default). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/**
 * Requires a signed-in caller, and one of `roles` when given; documents the bearer scheme and the 401/403 answers in
 * the same place, so that the OpenAPI page and the enforcement cannot drift apart.
 */
export const Auth = (...roles: string[]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(REQUIRED_ROLES, roles),
    ApiBearerAuth('bearer'),
    ApiProblem([401, 'No valid access token']),
    ...(roles.length > 0 ? [ApiProblem([403, `Needs the role ${roles.join(' or ')}`])] : []),
  );

/** The signed-in caller. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthUser => context.switchToHttp().getRequest<{ user: AuthUser }>().user,
);
