import { ApiParam } from '@nestjs/swagger';
import { MAX_ID } from '../../common/limits';

/** An id as the server accepts it: a positive 32-bit integer (ParseIdPipe and every `*_id` field). */
export const ID_SCHEMA = { type: 'integer', format: 'int32', minimum: 1, maximum: MAX_ID } as const;

/**
 * Documents a path id the way ParseIdPipe checks it, so that generated clients and validators refuse what the
 * server would answer with 400 `INVALID_ID`: `@ApiIdParam('id')` beside `@Param('id', ParseIdPipe)`.
 */
export const ApiIdParam = (name: string, description = 'A positive integer id') =>
  ApiParam({ name, description, schema: { ...ID_SCHEMA, example: 1 } });
