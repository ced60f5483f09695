import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyOnly, CurrentPrincipal, CustomerOrApiKey, ownerScope, type Principal } from '../auth/access';
import { MessageDto } from '../common/message.dto';
import { ParseIdPipe } from '../common/parse-id.pipe';
import { ApiInvalidId, ApiJsonBody, ApiProblem, ApiValidation } from '../common/swagger';
import { CustomerErrors } from '../customers/customers.service';
import { AccountErrors, AccountsService } from './accounts.service';
import { AccountCreatedDto, AccountResponseDto, AccountUpdatedDto } from './dto/account-response.dto';
import { CreateAccountDto } from './dto/create-account.dto';
import { UpdateAccountDto } from './dto/update-account.dto';

@ApiTags('accounts')
@Controller('accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  @ApiKeyOnly()
  @ApiOperation({ summary: 'Create a customer account (login)', description: 'The password is stored only as an argon2id hash and never returned.' })
  @ApiJsonBody()
  @ApiCreatedResponse({ type: AccountCreatedDto })
  @ApiValidation()
  @ApiProblem(404, [CustomerErrors.NOT_FOUND])
  @ApiProblem(409, [AccountErrors.ACCOUNT_EXISTS, AccountErrors.USERNAME_TAKEN])
  async create(@Body() dto: CreateAccountDto): Promise<AccountCreatedDto> {
    return { message: 'Account created', account: await this.accounts.create(dto) };
  }

  @Get(':id')
  @CustomerOrApiKey()
  @ApiOperation({ summary: 'Read an account', description: 'A customer token reads only its own account (404 for others).' })
  @ApiOkResponse({ type: AccountResponseDto })
  @ApiInvalidId()
  @ApiProblem(404, [AccountErrors.NOT_FOUND])
  findOne(@Param('id', ParseIdPipe) id: number, @CurrentPrincipal() principal: Principal): Promise<AccountResponseDto> {
    return this.accounts.findOne(id, ownerScope(principal));
  }

  @Put(':id')
  @CustomerOrApiKey()
  @ApiOperation({ summary: 'Change the username and/or password', description: 'A customer token changes only its own account.' })
  @ApiJsonBody()
  @ApiOkResponse({ type: AccountUpdatedDto })
  @ApiProblem(400, ['VALIDATION_FAILED', 'MALFORMED_JSON', 'INVALID_ID', AccountErrors.EMPTY_UPDATE])
  @ApiProblem(404, [AccountErrors.NOT_FOUND])
  @ApiProblem(409, [AccountErrors.USERNAME_TAKEN])
  async update(@Param('id', ParseIdPipe) id: number, @Body() dto: UpdateAccountDto, @CurrentPrincipal() principal: Principal): Promise<AccountUpdatedDto> {
    return { message: 'Account updated', account: await this.accounts.update(id, dto, ownerScope(principal)) };
  }

  @Delete(':id')
  @ApiKeyOnly()
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete an account', description: 'The customer stays; only the login is removed.' })
  @ApiOkResponse({ type: MessageDto })
  @ApiInvalidId()
  @ApiProblem(404, [AccountErrors.NOT_FOUND])
  async remove(@Param('id', ParseIdPipe) id: number): Promise<MessageDto> {
    await this.accounts.remove(id);
    return { message: `Account ${id} deleted` };
  }
}
