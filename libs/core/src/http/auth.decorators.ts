import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext, type Type } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants.js';
import { ApiBearerAuth, DECORATORS, type ApiOperationOptions } from '@nestjs/swagger';
import { ApiProblem } from './api-problem.decorator.js';
import type { Role } from './role.enum.js';

export const IS_PUBLIC = 'modak:public';
export const REQUIRED_ROLES = 'modak:roles';

/** Who is calling, once the access token is verified (`request.user`). */
export interface AuthUser {
  id: string;
  role: Role;
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

/**
 * Opens a route to callers without an access token; every other route needs a valid one (deny by default). The
 * OpenAPI document says so in the same place: `security: []`, or, for a route that checks a credential of its own
 * (Kakao's admin key on its callback), a requirement of `ownScheme`, a scheme the document builder declares. On a
 * controller it documents every handler that has no `@Public()` of its own.
 */
export const Public = (ownScheme?: string): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), ApiPublic(ownScheme));

/** The OpenAPI half of `@Public()`. */
const ApiPublic =
  (ownScheme?: string): MethodDecorator & ClassDecorator =>
  (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const security = ownScheme === undefined ? [] : [{ [ownScheme]: [] }];
    const handlers = descriptor ? [descriptor.value as object] : routeHandlers(target as Type);
    for (const handler of handlers) documentSecurity(handler, security);
  };

/** The route handlers of a controller class. */
const routeHandlers = (controller: Type): object[] =>
  Object.getOwnPropertyNames(controller.prototype)
    .map((name) => Object.getOwnPropertyDescriptor(controller.prototype, name)?.value as unknown)
    .filter((value): value is object => typeof value === 'function' && Reflect.hasMetadata(METHOD_METADATA, value));

/**
 * Sets the operation's `security` (the swagger explorer drops an empty security list, but keeps what the operation
 * metadata carries), unless a `@Public()` closer to the handler set it already.
 */
function documentSecurity(handler: object, security: ApiOperationOptions['security']): void {
  const operation = (Reflect.getMetadata(DECORATORS.API_OPERATION, handler) ?? {}) as ApiOperationOptions;
  if (operation.security) return;
  Reflect.defineMetadata(DECORATORS.API_OPERATION, { ...operation, security }, handler);
}

/**
 * Requires a signed-in caller, and one of `roles` when given; documents the bearer scheme and the 401/403 answers in
 * the same place, so that the OpenAPI page and the enforcement cannot drift apart.
 */
export const Auth = (...roles: Role[]): MethodDecorator & ClassDecorator =>
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
