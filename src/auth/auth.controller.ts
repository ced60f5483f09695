import { Body, Controller, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, BODY_PROBLEMS } from '../platform/openapi/api-problems.decorator';
import { Public } from './access';
import { AuthErrors, LOGIN_RATE_LIMITED } from './auth.errors';
import { AuthService } from './auth.service';
import { LoginDto, TokenResponseDto } from './dto/login.dto';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly authService: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log a customer in',
    description:
      "Exchanges an account's username and password for a Bearer token (HS256 JWT) that lets the customer read and " +
      'update its own record and account, place orders for itself, and read, track and cancel its own orders. ' +
      "The token expires (`expires_in`) and is revoked by a password change or the login's deletion. Attempts are " +
      'limited per client and per username (429 with Retry-After); a client already refused does not count against usernames.',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiProblems(...BODY_PROBLEMS, AuthErrors.INVALID_CREDENTIALS, LOGIN_RATE_LIMITED)
  login(@Body() dto: LoginDto, @Ip() client: string): Promise<TokenResponseDto> {
    return this.authService.login(dto, client);
  }
}
