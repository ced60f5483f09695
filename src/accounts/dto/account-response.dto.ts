import { ApiProperty } from '@nestjs/swagger';
import { iso } from '../../common/dto-helpers';
import { Account } from '../entities/account.entity';
import { ID_SCHEMA } from '../../platform/openapi/api-id-param.decorator';

export class AccountResponseDto {
  @ApiProperty({ ...ID_SCHEMA, example: 1 }) id: number;
  @ApiProperty({ ...ID_SCHEMA, example: 1 }) customer_id: number;
  @ApiProperty({ example: 'ada' }) username: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T10:00:00.000Z' }) updated_at: string;
}

export class AccountCreatedDto {
  @ApiProperty({ example: 'Account created' }) message: string;
  @ApiProperty() account: AccountResponseDto;
}

export class AccountUpdatedDto {
  @ApiProperty({ example: 'Account updated' }) message: string;
  @ApiProperty() account: AccountResponseDto;
}

/** Built field by field: the password hash can never reach the wire. */
export function toAccountResponse(account: Account): AccountResponseDto {
  return {
    id: account.id,
    customer_id: account.customerId,
    username: account.username,
    created_at: iso(account.createdAt)!,
    updated_at: iso(account.updatedAt)!,
  };
}
