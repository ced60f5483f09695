import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyOnly, CurrentPrincipal, CustomerOrApiKey, ownerScope, type Principal } from '../auth/access';
import { MessageDto } from '../common/message.dto';
import { CommonErrors } from '../common/common.errors';
import { ParseIdPipe } from '../common/parse-id.pipe';
import { CustomerErrors } from '../customers/customers.errors';
import { ApiIdParam } from '../platform/openapi/api-id-param.decorator';
import { ApiProblems, BODY_PROBLEMS, ID_PROBLEMS } from '../platform/openapi/api-problems.decorator';
import { AccountErrors } from './accounts.errors';
import { AccountsService } from './accounts.service';
import { AccountCreatedDto, AccountResponseDto, AccountUpdatedDto } from './dto/account-response.dto';
import { CreateAccountDto } from './dto/create-account.dto';
import { UpdateAccountDto } from './dto/update-account.dto';

@ApiTags('accounts')
@Controller('accounts')
export class AccountsController {
  constructor(private readonly accountsService: AccountsService) {}

  @Post()
  @ApiKeyOnly('customers:write')
  @ApiOperation({
    summary: 'Create a customer account (login)',
    description: 'The password is stored only as an argon2id hash and never returned.',
  })
  @ApiCreatedResponse({ type: AccountCreatedDto })
  @ApiProblems(...BODY_PROBLEMS, CustomerErrors.CUSTOMER_NOT_FOUND, AccountErrors.ACCOUNT_EXISTS, AccountErrors.USERNAME_TAKEN)
  async create(@Body() dto: CreateAccountDto): Promise<AccountCreatedDto> {
    return { message: 'Account created', account: await this.accountsService.create(dto) };
  }

  @Get(':id')
  @CustomerOrApiKey('customers:read')
  @ApiOperation({ summary: 'Read an account', description: 'A customer token reads only its own account (404 for others).' })
  @ApiIdParam('id')
  @ApiOkResponse({ type: AccountResponseDto })
  @ApiProblems(...ID_PROBLEMS, AccountErrors.ACCOUNT_NOT_FOUND)
  findOne(@Param('id', ParseIdPipe) id: number, @CurrentPrincipal() principal: Principal): Promise<AccountResponseDto> {
    return this.accountsService.findOne(id, ownerScope(principal));
  }

  @Put(':id')
  @CustomerOrApiKey('customers:write')
  @ApiOperation({
    summary: 'Change the username and/or password',
    description:
      'A customer token changes only its own account, and must send `current_password` to change the password; ' +
      'an API key may reset a password without it. A password change revokes every token issued before it, the ' +
      "caller's own included (401 afterwards): the customer logs in again with the new password.",
  })
  @ApiIdParam('id')
  @ApiOkResponse({ type: AccountUpdatedDto })
  @ApiProblems(
    ...BODY_PROBLEMS,
    ...ID_PROBLEMS,
    CommonErrors.EMPTY_UPDATE,
    AccountErrors.CURRENT_PASSWORD_REQUIRED,
    AccountErrors.CURRENT_PASSWORD_INCORRECT,
    AccountErrors.ACCOUNT_NOT_FOUND,
    AccountErrors.USERNAME_TAKEN,
  )
  async update(
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: UpdateAccountDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<AccountUpdatedDto> {
    return { message: 'Account updated', account: await this.accountsService.update(id, dto, ownerScope(principal)) };
  }

  @Delete(':id')
  @ApiKeyOnly('customers:write')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Delete an account',
    description: 'The customer stays; only the login is removed, and its tokens are refused from then on.',
  })
  @ApiIdParam('id')
  @ApiOkResponse({ type: MessageDto })
  @ApiProblems(...ID_PROBLEMS, AccountErrors.ACCOUNT_NOT_FOUND)
  async remove(@Param('id', ParseIdPipe) id: number): Promise<MessageDto> {
    await this.accountsService.remove(id);
    return { message: `Account ${id} deleted` };
  }
}
