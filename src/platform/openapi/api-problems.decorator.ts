import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { CommonErrors } from '../../common/common.errors';
import type { ErrorCode } from '../../common/problem';

export class ProblemDto {
  @ApiProperty({ example: 'about:blank' }) type: string;
  @ApiProperty({ example: 'Conflict' }) title: string;
  @ApiProperty({ type: 'integer', format: 'int32', example: 409 }) status: number;
  @ApiProperty({ example: 'Not enough stock for product 7' }) detail: string;
  @ApiProperty({ example: 'INSUFFICIENT_STOCK', description: 'Stable machine-readable error code' }) code: string;
  @ApiPropertyOptional({ example: '/orders' }) instance?: string;
  @ApiPropertyOptional({ example: '0b6c6f3e-2a35-4c0c-a1b9-3d4b7e0f2c11', description: 'The request id (X-Request-Id), as in the logs' })
  request_id?: string;
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    example: [{ product_id: 7, requested: 3, available: 1 }],
    description: 'The offending fields ({field, message}) or products',
  })
  errors?: Record<string, unknown>[];
}

/**
 * Documents the errors a route can answer, from the codes its service throws: one problem+json response
 * per status, listing each code with its meaning. Access decorators document 401/403/429 themselves.
 */
export function ApiProblems(...errors: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const error of errors) byStatus.set(error.status, [...(byStatus.get(error.status) ?? []), error]);
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...[...byStatus].map(([status, codes]) => ApiResponse({ status, ...problemResponse(status, codes) })),
  );
}

/** "`CODE` (meaning), …", as a problem response's description lists its codes. */
export const describeCodes = (codes: ErrorCode[]) => codes.map((c) => `\`${c.code}\` (${c.description})`).join(', ');

/** The problem+json response of one status that answers these codes. */
export function problemResponse(status: number, codes: ErrorCode[]) {
  return {
    description: `${STATUS_CODES[status]}. \`code\`: ${describeCodes(codes)}`,
    content: {
      'application/problem+json': {
        schema: { $ref: getSchemaPath(ProblemDto) },
        example: { type: 'about:blank', title: STATUS_CODES[status], status, detail: codes[0].description, code: codes[0].code },
      },
    },
  };
}

/**
 * What a route with a path id may answer before its handler runs. (Any route answers a URL with bad
 * percent-encoding with MALFORMED_URL; it is listed here, where the path carries a value.)
 */
export const ID_PROBLEMS = [CommonErrors.INVALID_ID, CommonErrors.MALFORMED_URL, CommonErrors.URI_TOO_LONG];
/** What a route with a JSON body may answer before its handler runs. */
export const BODY_PROBLEMS = [
  CommonErrors.VALIDATION_FAILED,
  CommonErrors.MALFORMED_JSON,
  CommonErrors.PAYLOAD_TOO_LARGE,
  CommonErrors.UNSUPPORTED_MEDIA_TYPE,
];
/** What a route with query parameters may answer before its handler runs. */
export const QUERY_PROBLEMS = [CommonErrors.VALIDATION_FAILED];
/** What a list (a route taking `after`) may answer before its handler runs, and for a cursor it did not hand out. */
export const LIST_PROBLEMS = [...QUERY_PROBLEMS, CommonErrors.INVALID_CURSOR];
