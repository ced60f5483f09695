import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AccountsService, usernameKey } from '../accounts/accounts.service';
import { PasswordHasher } from '../accounts/password-hasher';
import { problem } from '../common/problem';
import { authConfig, type AuthConfig } from '../config/configuration';
import { AuthErrors } from './auth.errors';
import { CustomerTokenClaims, TOKEN_TYPE } from './auth.guard';
import { LoginDto, TokenResponseDto } from './dto/login.dto';
import { LoginAttempts } from './login-attempts';

@Injectable()
export class AuthService implements OnModuleInit {
  /** Verified when the username is unknown, so that both failures take as long. */
  private decoyHash: string;

  constructor(
    private readonly accountsService: AccountsService,
    private readonly hasher: PasswordHasher,
    private readonly jwt: JwtService,
    private readonly attempts: LoginAttempts,
    @Inject(authConfig.KEY) private readonly config: AuthConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.decoyHash = await this.hasher.hash('decoy password that matches no account');
  }

  async login(dto: LoginDto, client: string): Promise<TokenResponseDto> {
    await this.attempts.register(usernameKey(dto.username), client);
    const account = await this.accountsService.findByUsername(dto.username);
    const valid = await this.hasher.verify(account?.passwordHash ?? this.decoyHash, dto.password);
    if (!account || !valid) {
      // one answer for an unknown user and a wrong password
      throw problem(AuthErrors.INVALID_CREDENTIALS, 'Unknown username or wrong password');
    }
    const claims: CustomerTokenClaims = { sub: String(account.customerId), typ: TOKEN_TYPE, aid: account.id, ver: account.tokenVersion };
    const access_token = await this.jwt.signAsync(claims, { expiresIn: this.config.jwtExpiresInSeconds });
    return { access_token, token_type: 'Bearer', expires_in: this.config.jwtExpiresInSeconds, customer_id: account.customerId };
  }
}
