import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class HealthComponentDto {
  @ApiProperty({ enum: ['up', 'down'], example: 'up' }) status: 'up' | 'down';
  @ApiPropertyOptional({ example: 'Redis does not answer: rate and login limits are counted per instance' }) message?: string;
}

export class HealthComponentsDto {
  @ApiPropertyOptional({ type: HealthComponentDto, description: 'The database (always checked; when it is down the answer is 503)' })
  database?: HealthComponentDto;
  @ApiPropertyOptional({
    type: HealthComponentDto,
    description: 'Redis, present only with REDIS_URL set: `down` leaves the service serving with per-instance limits (`degraded`)',
  })
  redis?: HealthComponentDto;
}

/** GET /health in @nestjs/terminus's shape, where `degraded` means serving with a component down. */
export class HealthResponseDto {
  @ApiProperty({
    enum: ['ok', 'degraded'],
    example: 'ok',
    description:
      '`ok`: every component is up. `degraded`: the database answers but Redis (REDIS_URL) does not, so rate and login ' +
      'limits are counted per instance until it is back; the service keeps serving.',
  })
  status: 'ok' | 'degraded';

  @ApiProperty({ type: HealthComponentsDto, description: 'The components that are up' })
  info: HealthComponentsDto;

  @ApiProperty({ type: HealthComponentsDto, description: 'The components that are down (only Redis can be while the answer is 200)' })
  error: HealthComponentsDto;

  @ApiProperty({ type: HealthComponentsDto, description: 'Every component checked' })
  details: HealthComponentsDto;
}
