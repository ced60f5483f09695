import { OmitType, PartialType } from '@nestjs/swagger';
import { CreateAccountDto } from './create-account.dto';

export class UpdateAccountDto extends PartialType(OmitType(CreateAccountDto, ['customer_id'] as const)) {}
