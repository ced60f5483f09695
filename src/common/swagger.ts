import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';

export class ProblemDto {
  @ApiProperty({ example: 'about:blank' }) type: string;
  @ApiProperty({ example: 'Conflict' }) title: string;
  @ApiProperty({ example: 409 }) status: number;
  @ApiProperty({ example: 'Not enough stock for product 7' }) detail: string;
  @ApiProperty({ example: 'INSUFFICIENT_STOCK', description: 'Stable machine-readable error code' }) code: string;
  @ApiPropertyOptional({ example: '/orders' }) instance?: string;
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    example: [{ product_id: 7, requested: 3, available: 1 }],
    description: 'The offending fields ({field, message}) or products',
  })
  errors?: Record<string, unknown>[];
}

/** Documents one error status as problem+json with the codes a client may see for it. */
export function ApiProblem(status: number, codes: string[], description?: string) {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ApiResponse({
      status,
      description: `${description ?? STATUS_CODES[status]}. \`code\`: ${codes.map((c) => `\`${c}\``).join(', ')}`,
      content: {
        'application/problem+json': {
          schema: { $ref: getSchemaPath(ProblemDto) },
          example: { type: 'about:blank', title: STATUS_CODES[status], status, detail: description ?? STATUS_CODES[status], code: codes[0] },
        },
      },
    }),
  );
}

export const ApiInvalidId = () => ApiProblem(400, ['INVALID_ID'], 'The path id is not a positive integer');
export const ApiValidation = () => ApiProblem(400, ['VALIDATION_FAILED', 'MALFORMED_JSON'], 'Invalid body, unknown field or malformed JSON');

/** What any route with a JSON body may answer before its handler runs. */
export const ApiJsonBody = () =>
  applyDecorators(
    ApiProblem(413, ['PAYLOAD_TOO_LARGE'], 'The body is larger than 1 MB'),
    ApiProblem(415, ['UNSUPPORTED_MEDIA_TYPE'], 'The body is not application/json'),
  );
