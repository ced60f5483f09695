import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyOnly, CurrentPrincipal, CustomerOrApiKey, ownerScope, type Principal } from '../auth/access';
import { MessageDto } from '../common/message.dto';
import { ParseIdPipe } from '../common/parse-id.pipe';
import { ApiInvalidId, ApiJsonBody, ApiProblem, ApiValidation } from '../common/swagger';
import { CustomerErrors, CustomersService } from './customers.service';
import { CreateCustomerDto } from './dto/create-customer.dto';
import { CustomerCreatedDto, CustomerPageDto, CustomerResponseDto, CustomerUpdatedDto } from './dto/customer-response.dto';
import { ListCustomersQueryDto } from './dto/list-customers.dto';
import { UpdateCustomerDto } from './dto/update-customer.dto';

@ApiTags('customers')
@Controller('customers')
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Post()
  @ApiKeyOnly()
  @ApiOperation({ summary: 'Create a customer' })
  @ApiJsonBody()
  @ApiCreatedResponse({ type: CustomerCreatedDto })
  @ApiValidation()
  @ApiProblem(409, [CustomerErrors.EMAIL_TAKEN], 'The email is already used (case-insensitive)')
  async create(@Body() dto: CreateCustomerDto): Promise<CustomerCreatedDto> {
    return { message: 'Customer created', customer: await this.customers.create(dto) };
  }

  @Get()
  @ApiKeyOnly()
  @ApiOperation({ summary: 'List customers', description: 'Oldest first; filter by exact `email` or by `search` text in name or email.' })
  @ApiOkResponse({ type: CustomerPageDto })
  @ApiProblem(400, ['VALIDATION_FAILED'])
  list(@Query() query: ListCustomersQueryDto): Promise<CustomerPageDto> {
    return this.customers.list(query);
  }

  @Get(':id')
  @CustomerOrApiKey()
  @ApiOperation({ summary: 'Read a customer', description: 'A customer token reads only its own record (404 for others).' })
  @ApiOkResponse({ type: CustomerResponseDto })
  @ApiInvalidId()
  @ApiProblem(404, [CustomerErrors.NOT_FOUND])
  findOne(@Param('id', ParseIdPipe) id: number, @CurrentPrincipal() principal: Principal): Promise<CustomerResponseDto> {
    return this.customers.findOne(id, ownerScope(principal));
  }

  @Put(':id')
  @CustomerOrApiKey()
  @ApiOperation({ summary: 'Update a customer', description: 'Partial: send any of name, email, phone_number. A customer token updates only its own record.' })
  @ApiJsonBody()
  @ApiOkResponse({ type: CustomerUpdatedDto })
  @ApiProblem(400, ['VALIDATION_FAILED', 'MALFORMED_JSON', 'INVALID_ID', CustomerErrors.EMPTY_UPDATE])
  @ApiProblem(404, [CustomerErrors.NOT_FOUND])
  @ApiProblem(409, [CustomerErrors.EMAIL_TAKEN])
  async update(@Param('id', ParseIdPipe) id: number, @Body() dto: UpdateCustomerDto, @CurrentPrincipal() principal: Principal): Promise<CustomerUpdatedDto> {
    return { message: 'Customer updated', customer: await this.customers.update(id, dto, ownerScope(principal)) };
  }

  @Delete(':id')
  @ApiKeyOnly()
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a customer', description: 'Soft delete: reads answer 404 afterwards, the customer\'s orders stay readable and its account (login) is removed.' })
  @ApiOkResponse({ type: MessageDto })
  @ApiInvalidId()
  @ApiProblem(404, [CustomerErrors.NOT_FOUND])
  async remove(@Param('id', ParseIdPipe) id: number): Promise<MessageDto> {
    await this.customers.remove(id);
    return { message: `Customer ${id} deleted` };
  }
}
