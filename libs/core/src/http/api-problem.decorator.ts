import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '../errors/problem.document.js';

/** Documents error answers of a route as problem+json (the `Problem` schema). */
export const ApiProblem = (...answers: [status: number, description: string][]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    ...answers.map(([status, description]) =>
      ApiResponse({
        status,
        description,
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
      }),
    ),
  );
