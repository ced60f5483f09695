import { ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsOptionalNotNull } from '../../common/dto-helpers';
import { CreateAccountDto } from './create-account.dto';

/** `username` and/or `password` (with `current_password`); none of them may be null. */
export class UpdateAccountDto extends PartialType(OmitType(CreateAccountDto, ['customer_id'] as const), { skipNullProperties: false }) {
  @ApiPropertyOptional({
    example: 'correct horse battery staple',
    maxLength: 128,
    writeOnly: true,
    description:
      'The password the account has now. Required when a customer token changes the password ' +
      '(400 CURRENT_PASSWORD_REQUIRED); checked whenever sent (403 CURRENT_PASSWORD_INCORRECT). ' +
      'Wrong guesses count against the login limit of the username.',
  })
  @IsOptionalNotNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  current_password?: string;
}
