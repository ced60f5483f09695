import { ExecutionContext, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import type { AuthConfig } from '../config/configuration';
import type { AccountsService } from '../accounts/accounts.service';
import type { ApiKeysService, StoredKeyCheck } from '../api-keys/api-keys.service';
import { Access, ACCESS, AuthenticatedRequest, REQUIRED_SCOPE } from './access';
import { ApiKeys } from './api-keys';
import { AuthGuard, TOKEN_TYPE } from './auth.guard';
import { SCOPES, type Scope } from './scopes';
import { MetricsToken } from './metrics-token';

const METRICS_TOKEN = 'scraper-token-0123456789abcdef0123456789';

describe('AuthGuard', () => {
  const jwt = new JwtService({ secret: 'unit-secret' });
  /** Stored keys: `eak_reporting` holds orders:read, `eak_admin` admin, `eak_revoked` and `eak_expired` are refused. */
  const stored: Record<string, StoredKeyCheck> = {
    eak_reporting: { key: { id: 4, name: 'reporting', scopes: ['orders:read'] } },
    eak_admin: { key: { id: 5, name: 'ops', scopes: ['admin'] } },
    eak_revoked: { refused: 'revoked' },
    eak_expired: { refused: 'expired' },
  };
  const authenticate = jest.fn(async (presented: string): Promise<StoredKeyCheck> => stored[presented] ?? { refused: 'unknown' });
  const recordUse = jest.fn(async () => undefined);
  const apiKeysService = { authenticate, recordUse } as unknown as ApiKeysService;
  const apiKeys = new ApiKeys({ apiKeys: ['key-one', 'key-two'] } as AuthConfig, apiKeysService);
  const isTokenCurrent = jest.fn();
  const metricsToken = new MetricsToken({ metricsToken: METRICS_TOKEN } as AuthConfig);
  const sut = new AuthGuard(new Reflector(), apiKeys, apiKeysService, jwt, { isTokenCurrent } as unknown as AccountsService, metricsToken);
  /** The claims login signs: customer 7, its account 3, at credentials version 0. */
  const claims = { sub: '7', typ: TOKEN_TYPE, aid: 3, ver: 0 };

  function context(access: Access | undefined, headers: Record<string, string>, scope: Scope | null = 'orders:read') {
    const handler = () => undefined;
    if (access) Reflect.defineMetadata(ACCESS, access, handler);
    if (scope) Reflect.defineMetadata(REQUIRED_SCOPE, scope, handler);
    const request = { method: 'GET', routeOptions: { url: '/x' }, headers } as unknown as AuthenticatedRequest;
    const ctx = { getHandler: () => handler, getClass: () => class {}, switchToHttp: () => ({ getRequest: () => request }) };
    return { ctx: ctx as unknown as ExecutionContext, request };
  }
  const token = (payload: object, secret = 'unit-secret') => jwt.signAsync(payload, { secret, expiresIn: 60 });

  beforeEach(() => {
    isTokenCurrent.mockReset().mockResolvedValue(true);
    authenticate.mockClear();
    recordUse.mockClear();
  });

  it('refuses a route without an access marking, even to a valid API key (default deny), and logs it', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    await expect(sut.canActivate(context(undefined, { 'x-api-key': 'key-one' }).ctx)).rejects.toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
    });
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('GET /x has no access marking'));
    logged.mockRestore();
  });

  it('lets anyone through a public route', async () => {
    await expect(sut.canActivate(context('public', {}).ctx)).resolves.toBe(true);
  });

  it.each(['api-key', 'customer'] as const)(
    'refuses a %s route that names no scope, even to an admin key (default deny), and logs it',
    async (access) => {
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      for (const key of ['key-one', 'eak_admin']) {
        await expect(sut.canActivate(context(access, { 'x-api-key': key }, null).ctx)).rejects.toMatchObject({
          status: 403,
          code: 'FORBIDDEN',
        });
      }
      expect(logged).toHaveBeenCalledWith(expect.stringContaining('GET /x has no required scope'));
      logged.mockRestore();
    },
  );

  it('accepts any configured key as an admin key named API_KEYS, on a route of any scope, and writes no last use', async () => {
    for (const scope of SCOPES) {
      const { ctx, request } = context('api-key', { 'x-api-key': 'key-two' }, scope);
      await expect(sut.canActivate(ctx)).resolves.toBe(true);
      expect(request.principal).toEqual({ kind: 'service', apiKey: { id: null, name: 'API_KEYS', scopes: SCOPES } });
    }
    expect(authenticate).not.toHaveBeenCalled();
    expect(recordUse).not.toHaveBeenCalled();
  });

  it('accepts a stored key on a route of its scope, names it, and records its use', async () => {
    const { ctx, request } = context('customer', { 'x-api-key': 'eak_reporting' }, 'orders:read');
    await expect(sut.canActivate(ctx)).resolves.toBe(true);
    expect(request.principal).toEqual({ kind: 'service', apiKey: { id: 4, name: 'reporting', scopes: ['orders:read'] } });
    expect(recordUse).toHaveBeenCalledWith(4);
  });

  it('refuses a stored key without the route scope with 403 INSUFFICIENT_SCOPE naming the scope', async () => {
    await expect(sut.canActivate(context('api-key', { 'x-api-key': 'eak_reporting' }, 'orders:write').ctx)).rejects.toMatchObject({
      status: 403,
      code: 'INSUFFICIENT_SCOPE',
      errors: [{ required_scope: 'orders:write' }],
    });
  });

  it('lets a stored admin key through a route of any scope', async () => {
    for (const scope of SCOPES)
      await expect(sut.canActivate(context('api-key', { 'x-api-key': 'eak_admin' }, scope).ctx)).resolves.toBe(true);
  });

  it.each([
    ['eak_revoked', 'This API key was revoked'],
    ['eak_expired', 'This API key has expired'],
    ['eak_unknown', 'Unknown API key'],
  ])('refuses the stored key %p with 401: %s', async (key, detail) => {
    await expect(sut.canActivate(context('api-key', { 'x-api-key': key }).ctx)).rejects.toMatchObject({ status: 401, message: detail });
    expect(recordUse).not.toHaveBeenCalled();
  });

  it('checks a request key once, however many guards ask (the rate limiter, then this guard)', async () => {
    const { ctx, request } = context('api-key', { 'x-api-key': 'eak_reporting' });
    expect('caller' in (await apiKeys.check(request)!)).toBe(true);
    await sut.canActivate(ctx);
    expect(authenticate).toHaveBeenCalledTimes(1);
    expect(apiKeys.check({ headers: {} })).toBeUndefined();
  });

  it('lets a customer token through a customer route whatever its scope: customers are confined to their own data', async () => {
    const { ctx } = context('customer', { authorization: `Bearer ${await token(claims)}` }, 'orders:write');
    await expect(sut.canActivate(ctx)).resolves.toBe(true);
  });

  it.each([['wrong'], ['key-one '], ['']])('refuses the key %p with 401', async (key) => {
    await expect(sut.canActivate(context('api-key', { 'x-api-key': key }).ctx)).rejects.toMatchObject({ status: 401 });
  });

  it('accepts a customer token on a customer route and names the customer', async () => {
    const { ctx, request } = context('customer', { authorization: `Bearer ${await token(claims)}` });
    await expect(sut.canActivate(ctx)).resolves.toBe(true);
    expect(request.principal).toEqual({ kind: 'customer', customerId: 7 });
    expect(isTokenCurrent).toHaveBeenCalledWith({ accountId: 3, customerId: 7, tokenVersion: 0 });
  });

  it('refuses a customer token on an API-key route with 403', async () => {
    const { ctx } = context('api-key', { authorization: `Bearer ${await token(claims)}` });
    await expect(sut.canActivate(ctx)).rejects.toMatchObject({ status: 403 });
  });

  it.each([
    ['signed with another secret', async () => token(claims, 'other-secret')],
    ['of another type', async () => token({ ...claims, typ: 'refresh' })],
    ['expired', async () => jwt.signAsync({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 })],
    ['without exp (it would never expire)', async () => jwt.signAsync(claims)],
    ['without an account id', async () => token({ ...claims, aid: undefined })],
    ['without a credentials version', async () => token({ ...claims, ver: undefined })],
    ['with a credentials version that is not an integer', async () => token({ ...claims, ver: '0' })],
    [
      'unsigned (alg none)',
      async () =>
        `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"7","typ":"customer"}').toString('base64url')}.`,
    ],
  ])('refuses a token %s with 401', async (_case, make) => {
    await expect(sut.canActivate(context('customer', { authorization: `Bearer ${await make()}` }).ctx)).rejects.toMatchObject({
      status: 401,
    });
  });

  it('refuses with 401 a token whose login was deleted or whose password changed since it was issued', async () => {
    isTokenCurrent.mockResolvedValue(false);
    const { ctx } = context('customer', { authorization: `Bearer ${await token(claims)}` });
    await expect(sut.canActivate(ctx)).rejects.toMatchObject({ status: 401 });
  });

  it('refuses a request with no credentials with 401', async () => {
    await expect(sut.canActivate(context('customer', {}).ctx)).rejects.toMatchObject({ status: 401 });
  });

  describe('the metrics route', () => {
    it('lets METRICS_TOKEN through as the metrics scraper', async () => {
      const { ctx, request } = context('metrics', { authorization: `Bearer ${METRICS_TOKEN}` }, 'admin');
      await expect(sut.canActivate(ctx)).resolves.toBe(true);
      expect(request.principal).toEqual({ kind: 'metrics-token' });
    });

    it('lets an admin API key through as a service', async () => {
      const { ctx, request } = context('metrics', { 'x-api-key': 'key-one' }, 'admin');
      await expect(sut.canActivate(ctx)).resolves.toBe(true);
      expect(request.principal).toMatchObject({ kind: 'service', apiKey: { id: null, name: 'API_KEYS' } });
    });

    it.each([
      ['a wrong token', `Bearer ${METRICS_TOKEN}x`],
      ['the token cut short', `Bearer ${METRICS_TOKEN.slice(0, -1)}`],
      ['the token without "Bearer"', METRICS_TOKEN],
      ['nothing', undefined],
    ])('refuses %s with 401', async (_case, authorization) => {
      const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
      await expect(sut.canActivate(context('metrics', headers).ctx)).rejects.toMatchObject({ status: 401 });
    });

    it('refuses a customer token with 403', async () => {
      const { ctx } = context('metrics', { authorization: `Bearer ${await token(claims)}` });
      await expect(sut.canActivate(ctx)).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN' });
    });

    it('opens no other route to METRICS_TOKEN', async () => {
      for (const access of ['api-key', 'customer'] as const) {
        const { ctx } = context(access, { authorization: `Bearer ${METRICS_TOKEN}` });
        await expect(sut.canActivate(ctx)).rejects.toMatchObject({ status: 401 });
      }
    });

    it('takes no Bearer token as METRICS_TOKEN when none is configured', async () => {
      const unset = new MetricsToken({ metricsToken: null } as AuthConfig);
      const guard = new AuthGuard(new Reflector(), apiKeys, apiKeysService, jwt, { isTokenCurrent } as unknown as AccountsService, unset);
      expect(unset.matches('Bearer ')).toBe(false);
      await expect(guard.canActivate(context('metrics', { authorization: 'Bearer null' }).ctx)).rejects.toMatchObject({ status: 401 });
    });
  });
});
