import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyOnly, CurrentPrincipal, CustomerOrApiKey, ownerScope, type Principal } from '../auth/access';
import { MessageDto } from '../common/message.dto';
import { CommonErrors } from '../common/common.errors';
import { ParseIdPipe } from '../common/parse-id.pipe';
import { ApiIdParam } from '../platform/openapi/api-id-param.decorator';
import { ApiProblems, BODY_PROBLEMS, ID_PROBLEMS, LIST_PROBLEMS } from '../platform/openapi/api-problems.decorator';
import { CustomerErrors } from './customers.errors';
import { CustomersService } from './customers.service';
import { CreateCustomerDto } from './dto/create-customer.dto';
import { CustomerCreatedDto, CustomerPageDto, CustomerResponseDto, CustomerUpdatedDto } from './dto/customer-response.dto';
import { ListCustomersQueryDto } from './dto/list-customers.dto';
import { UpdateCustomerDto } from './dto/update-customer.dto';

@ApiTags('customers')
@Controller('customers')
export class CustomersController {
  constructor(private readonly customersService: CustomersService) {}

  @Post()
  @ApiKeyOnly('customers:write')
  @ApiOperation({
    summary: 'Create a customer',
    description: 'The email must not belong to another customer (compared case-insensitively): 409 `EMAIL_TAKEN`.',
  })
  @ApiCreatedResponse({ type: CustomerCreatedDto })
  @ApiProblems(...BODY_PROBLEMS, CustomerErrors.EMAIL_TAKEN)
  async create(@Body() dto: CreateCustomerDto): Promise<CustomerCreatedDto> {
    return { message: 'Customer created', customer: await this.customersService.create(dto) };
  }

  @Get()
  @ApiKeyOnly('customers:read')
  @ApiOperation({ summary: 'List customers', description: 'Oldest first; filter by exact `email` or by `search` text in name or email.' })
  @ApiOkResponse({ type: CustomerPageDto })
  @ApiProblems(...LIST_PROBLEMS)
  list(@Query() query: ListCustomersQueryDto): Promise<CustomerPageDto> {
    return this.customersService.list(query);
  }

  @Get(':id')
  @CustomerOrApiKey('customers:read')
  @ApiOperation({ summary: 'Read a customer', description: 'A customer token reads only its own record (404 for others).' })
  @ApiIdParam('id')
  @ApiOkResponse({ type: CustomerResponseDto })
  @ApiProblems(...ID_PROBLEMS, CustomerErrors.CUSTOMER_NOT_FOUND)
  findOne(@Param('id', ParseIdPipe) id: number, @CurrentPrincipal() principal: Principal): Promise<CustomerResponseDto> {
    return this.customersService.findOne(id, ownerScope(principal));
  }

  @Put(':id')
  @CustomerOrApiKey('customers:write')
  @ApiOperation({
    summary: 'Update a customer',
    description: 'Partial: send any of name, email, phone_number. A customer token updates only its own record.',
  })
  @ApiIdParam('id')
  @ApiOkResponse({ type: CustomerUpdatedDto })
  @ApiProblems(...BODY_PROBLEMS, ...ID_PROBLEMS, CommonErrors.EMPTY_UPDATE, CustomerErrors.CUSTOMER_NOT_FOUND, CustomerErrors.EMAIL_TAKEN)
  async update(
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: UpdateCustomerDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CustomerUpdatedDto> {
    return { message: 'Customer updated', customer: await this.customersService.update(id, dto, ownerScope(principal)) };
  }

  @Delete(':id')
  @ApiKeyOnly('customers:write')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Delete a customer',
    description: "Soft delete: reads answer 404 afterwards, the customer's orders stay readable and its account (login) is removed.",
  })
  @ApiIdParam('id')
  @ApiOkResponse({ type: MessageDto })
  @ApiProblems(...ID_PROBLEMS, CustomerErrors.CUSTOMER_NOT_FOUND)
  async remove(@Param('id', ParseIdPipe) id: number): Promise<MessageDto> {
    await this.customersService.remove(id);
    return { message: `Customer ${id} deleted` };
  }
}
