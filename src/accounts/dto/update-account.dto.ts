import { ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength, ValidateIf } from 'class-validator';
import { CreateAccountDto } from './create-account.dto';

export class UpdateAccountDto extends PartialType(OmitType(CreateAccountDto, ['customer_id'] as const)) {
  @ApiPropertyOptional({
    example: 'correct horse battery staple',
    maxLength: 128,
    writeOnly: true,
    description:
      'The password the account has now. Required when a customer token changes the password ' +
      '(400 CURRENT_PASSWORD_REQUIRED); checked whenever sent (403 CURRENT_PASSWORD_INCORRECT). ' +
      'Wrong guesses count against the login limit of the username.',
  })
  // null is refused like any other non-string: only an absent field is optional
  @ValidateIf((_dto, value) => value !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  current_password?: string;
}
