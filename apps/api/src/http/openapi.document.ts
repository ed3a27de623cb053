import { problemType, ErrorCode } from '@app/core';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { KAKAO_ADMIN_KEY_SCHEME, kakaoAdminKeyScheme } from '@api/auth';

export const API_PREFIX = 'api/v1';

/** The problem+json schema every error response refers to. */
const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
  properties: {
    type: { type: 'string', example: problemType(ErrorCode.ValidationFailed) },
    title: { type: 'string', example: 'Validation failed' },
    status: { type: 'integer', example: 400 },
    detail: { type: 'string', example: 'The request is not valid; see errors' },
    code: { type: 'string', enum: Object.values(ErrorCode), example: ErrorCode.ValidationFailed },
    requestId: { type: 'string', example: '0f8b6c1e-2c1d-4d1e-9a57-3b0e8f1f2a10' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: {
          field: { type: 'string', example: 'email' },
          message: { type: 'string', example: 'email must be an email' },
        },
      },
    },
  },
} as const;

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Modak API')
    .setDescription(
      'The REST API of Modak, a team workspace: a shared board and a task tracker, with Kakao and email sign-in. ' +
        'Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`.',
    )
    .setVersion('1.0')
    // Relative: the server that serves this document, whatever its domain (each deployment has its own).
    .addServer('/', 'The server that serves this document')
    .addTag('Auth', 'Sign-up, email verification, sign-in (email and Kakao), token refresh and sessions')
    .addTag('Users', 'The signed-in user')
    .addTag('Admin', 'Account administration (ADMIN only)')
    .addTag('Boards', 'Posts on the shared board (게시글)')
    .addTag('Tasks', 'The task tracker: assignees, statuses and the activity log')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'Access token from /auth/login',
    })
    .addApiKey(kakaoAdminKeyScheme, KAKAO_ADMIN_KEY_SCHEME)
    .build();
  // A proprietary API: its license has a name, and no public text for a `url` to point to (redocly.yaml).
  config.info.license = { name: 'Proprietary' };
  const document = SwaggerModule.createDocument(app, config);
  documentOverload(document);
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, Problem: problemSchema as never },
  };
  return document;
}

/** Any operation may be shed when the instance is busy, or find a dependency away: its 503 is documented. */
function documentOverload(document: OpenAPIObject): void {
  for (const path of Object.values(document.paths)) {
    for (const operation of [path.get, path.post, path.put, path.patch, path.delete]) {
      if (!operation || operation.responses['503']) continue;
      operation.responses['503'] = {
        description:
          'OVERLOADED (the instance is busy: retry after Retry-After) or DEPENDENCY_UNAVAILABLE (the database or ' +
          'Redis is away)',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
  }
}

/** Swagger UI at /docs and the document at /docs/openapi.json. */
export function setupOpenApi(app: INestApplication): OpenAPIObject {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
    customSiteTitle: 'Modak API',
    swaggerOptions: { persistAuthorization: false, displayRequestDuration: true },
  });
  return document;
}
