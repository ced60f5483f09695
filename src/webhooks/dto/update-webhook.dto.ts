import { ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsBoolean, ValidateIf } from 'class-validator';
import { CreateWebhookDto } from './create-webhook.dto';

/** Partial; `null` is refused for everything but `description` (which it clears). */
export class UpdateWebhookDto extends PartialType(CreateWebhookDto, { skipNullProperties: false }) {
  @ApiPropertyOptional({
    example: true,
    description: 'false pauses the endpoint (its deliveries wait, pending); true resumes it and clears the reason the server disabled it',
  })
  @ValidateIf((_, value) => value !== undefined)
  @IsBoolean()
  enabled?: boolean;
}
