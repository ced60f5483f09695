import { ApiProperty } from '@nestjs/swagger';
import { SCOPES, type Scope } from '../../auth/scopes';
import { iso } from '../../common/dto-helpers';
import { ApiKey } from '../entities/api-key.entity';

/** An API key as every read shows it: never the key, nor its hash. */
export class ApiKeyResponseDto {
  @ApiProperty({ type: 'integer', format: 'int32', example: 4 }) id: number;
  @ApiProperty({ example: 'reporting-service' }) name: string;
  @ApiProperty({ isArray: true, enum: SCOPES, example: ['orders:read', 'events:read'] }) scopes: Scope[];
  @ApiProperty({ example: 'eak_3f9c0a1b2d4e', description: 'The start of the key, to recognise it; not a secret' }) prefix: string;
  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ example: null, nullable: true, type: String, description: 'null: does not expire' }) expires_at: string | null;
  @ApiProperty({
    example: '2026-11-25T10:05:00.000Z',
    nullable: true,
    type: String,
    description: 'Last request made with the key, to the minute (written at most once a minute)',
  })
  last_used_at: string | null;
  @ApiProperty({ example: null, nullable: true, type: String, description: 'When the key was revoked; it is refused from then on' })
  revoked_at: string | null;
}

export function toApiKeyResponse(apiKey: ApiKey): ApiKeyResponseDto {
  return {
    id: apiKey.id,
    name: apiKey.name,
    scopes: apiKey.scopes,
    prefix: apiKey.prefix,
    created_at: iso(apiKey.createdAt)!,
    expires_at: iso(apiKey.expiresAt),
    last_used_at: iso(apiKey.lastUsedAt),
    revoked_at: iso(apiKey.revokedAt),
  };
}
