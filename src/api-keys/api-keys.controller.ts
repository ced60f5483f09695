import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyOnly } from '../auth/access';
import { MessageDto } from '../common/message.dto';
import { PaginationQueryDto } from '../common/pagination';
import { ParseIdPipe } from '../common/parse-id.pipe';
import { ApiIdParam } from '../platform/openapi/api-id-param.decorator';
import { ApiProblems, BODY_PROBLEMS, ID_PROBLEMS, QUERY_PROBLEMS } from '../platform/openapi/api-problems.decorator';
import { ApiKeyErrors } from './api-keys.errors';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyCreatedDto } from './dto/api-key-created.dto';
import { ApiKeyPageDto } from './dto/api-key-page.dto';
import { ApiKeyResponseDto } from './dto/api-key-response.dto';
import { CreateApiKeyDto } from './dto/create-api-key.dto';

@ApiTags('api-keys')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeysService: ApiKeysService) {}

  @Post()
  @ApiKeyOnly('admin')
  @ApiOperation({
    summary: 'Issue an API key for a service',
    description:
      'Answers the key (`eak_…`) in `api_key.key`, shown only here: the server keeps nothing but its SHA-256. Send it as ' +
      '`X-API-Key`; it may call the routes its `scopes` reach, until `expires_at` (if given) or until it is revoked.',
  })
  @ApiCreatedResponse({ type: ApiKeyCreatedDto })
  @ApiProblems(...BODY_PROBLEMS)
  async create(@Body() dto: CreateApiKeyDto): Promise<ApiKeyCreatedDto> {
    return { message: 'API key created: store the key now, it is not shown again', api_key: await this.apiKeysService.create(dto) };
  }

  @Get()
  @ApiKeyOnly('admin')
  @ApiOperation({ summary: 'List API keys', description: 'Newest first, revoked keys included; never a key or its hash.' })
  @ApiOkResponse({ type: ApiKeyPageDto })
  @ApiProblems(...QUERY_PROBLEMS)
  list(@Query() query: PaginationQueryDto): Promise<ApiKeyPageDto> {
    return this.apiKeysService.list(query);
  }

  @Get(':id')
  @ApiKeyOnly('admin')
  @ApiOperation({ summary: 'Read an API key', description: 'Its name, scopes, prefix and dates; never the key or its hash.' })
  @ApiOkResponse({ type: ApiKeyResponseDto })
  @ApiProblems(...ID_PROBLEMS, ApiKeyErrors.API_KEY_NOT_FOUND)
  @ApiIdParam('id')
  findOne(@Param('id', ParseIdPipe) id: number): Promise<ApiKeyResponseDto> {
    return this.apiKeysService.findOne(id);
  }

  @Delete(':id')
  @ApiKeyOnly('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Revoke an API key',
    description:
      'The key is refused (401) from now on: at once by the instance that answers, by every other instance within ' +
      'API_KEY_CACHE_TTL_MS (at most 1 s). It stays readable, with `revoked_at`. Revoking it again changes nothing.',
  })
  @ApiOkResponse({ type: MessageDto })
  @ApiProblems(...ID_PROBLEMS, ApiKeyErrors.API_KEY_NOT_FOUND)
  @ApiIdParam('id')
  async revoke(@Param('id', ParseIdPipe) id: number): Promise<MessageDto> {
    const revoked = await this.apiKeysService.revoke(id);
    return { message: `API key ${revoked.id} (${revoked.name}) revoked` };
  }
}
