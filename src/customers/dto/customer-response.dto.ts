import { ApiProperty } from '@nestjs/swagger';
import { iso } from '../../common/dto-helpers';
import { PageDto } from '../../common/pagination';
import { Customer } from '../entities/customer.entity';
import { ID_SCHEMA } from '../../platform/openapi/api-id-param.decorator';

export class CustomerResponseDto {
  @ApiProperty({ ...ID_SCHEMA, example: 1 }) id: number;
  @ApiProperty({ example: 'Ada Lovelace' }) name: string;
  @ApiProperty({ format: 'email', example: 'ada@example.com' }) email: string;
  @ApiProperty({ example: '+44 20 7946 0958', nullable: true, type: String }) phone_number: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T10:00:00.000Z' }) updated_at: string;
}

export class CustomerPageDto extends PageDto {
  @ApiProperty({ type: [CustomerResponseDto] }) items: CustomerResponseDto[];
}

export class CustomerCreatedDto {
  @ApiProperty({ example: 'Customer created' }) message: string;
  @ApiProperty() customer: CustomerResponseDto;
}

export class CustomerUpdatedDto {
  @ApiProperty({ example: 'Customer updated' }) message: string;
  @ApiProperty() customer: CustomerResponseDto;
}

export function toCustomerResponse(customer: Customer): CustomerResponseDto {
  return {
    id: customer.id,
    name: customer.name,
    email: customer.email,
    phone_number: customer.phoneNumber,
    created_at: iso(customer.createdAt)!,
    updated_at: iso(customer.updatedAt)!,
  };
}
