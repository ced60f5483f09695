import { appConfig, authConfig, webhooksConfig } from './configuration';

describe('authConfig', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });
  const load = (env: Record<string, string>) => {
    process.env = { ...saved, API_KEYS: '', JWT_SECRET: '', METRICS_TOKEN: '', ...env };
    return authConfig();
  };

  it('refuses to start in production without API_KEYS', () => {
    expect(() => load({ NODE_ENV: 'production', JWT_SECRET: 's' })).toThrow('Invalid configuration: API_KEYS must be set in production');
  });

  it('refuses to start in production without JWT_SECRET', () => {
    expect(() => load({ NODE_ENV: 'production', API_KEYS: 'k' })).toThrow('Invalid configuration: JWT_SECRET must be set in production');
  });

  const strongKey = 'k'.repeat(32);
  const strongSecret = 's'.repeat(32);

  it('accepts the development key outside production, and only then', () => {
    expect(load({ NODE_ENV: 'development' }).apiKeys).toEqual(['dev-api-key']);
    expect(load({ NODE_ENV: 'production', API_KEYS: `a${strongKey}, b${strongKey}`, JWT_SECRET: strongSecret }).apiKeys).toEqual([
      `a${strongKey}`,
      `b${strongKey}`,
    ]);
  });

  it.each([
    ['the published development key', { API_KEYS: `${strongKey},dev-api-key` }, 'API_KEYS must not contain the development key'],
    ['the published development secret', { JWT_SECRET: 'dev-jwt-secret-change-me' }, 'JWT_SECRET must not be the development secret'],
    [
      'an API key shorter than 32 characters',
      { API_KEYS: `${strongKey},${'k'.repeat(31)}` },
      'API_KEYS: every key must be at least 32 characters',
    ],
    ['a JWT_SECRET shorter than 32 characters', { JWT_SECRET: 'x' }, 'JWT_SECRET must be at least 32 characters'],
    ['a METRICS_TOKEN shorter than 32 characters', { METRICS_TOKEN: 'm'.repeat(31) }, 'METRICS_TOKEN must be at least 32 characters'],
  ])('refuses to start in production with %s, in one line', (_case, env, message) => {
    const start = () => load({ NODE_ENV: 'production', API_KEYS: strongKey, JWT_SECRET: strongSecret, ...env });
    expect(start).toThrow(`Invalid configuration: ${message}`);
    expect(start).toThrow(/^[^\n]+$/);
  });

  it('never names a key in its message', () => {
    expect(() => load({ NODE_ENV: 'production', API_KEYS: 'short-secret-key', JWT_SECRET: strongSecret })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('short-secret-key') }),
    );
  });

  it('keeps accepting short keys and secrets outside production', () => {
    expect(load({ NODE_ENV: 'development', API_KEYS: 'k', JWT_SECRET: 'x', METRICS_TOKEN: 'm' })).toMatchObject({
      apiKeys: ['k'],
      jwtSecret: 'x',
      metricsToken: 'm',
    });
  });

  it('needs no METRICS_TOKEN, in production either: then only API keys read the metrics', () => {
    expect(load({ NODE_ENV: 'production', API_KEYS: strongKey, JWT_SECRET: strongSecret }).metricsToken).toBeNull();
    expect(
      load({ NODE_ENV: 'production', API_KEYS: strongKey, JWT_SECRET: strongSecret, METRICS_TOKEN: 'm'.repeat(32) }).metricsToken,
    ).toBe('m'.repeat(32));
  });

  it('reads token lifetimes in seconds, minutes, hours and days', () => {
    expect(load({ JWT_EXPIRES_IN: '90' }).jwtExpiresInSeconds).toBe(90);
    expect(load({ JWT_EXPIRES_IN: '15m' }).jwtExpiresInSeconds).toBe(900);
    expect(load({ JWT_EXPIRES_IN: '1h' }).jwtExpiresInSeconds).toBe(3600);
    expect(load({ JWT_EXPIRES_IN: '1d' }).jwtExpiresInSeconds).toBe(86400);
  });
});

describe('appConfig.trustProxy', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });
  const trustProxy = (value: string) => {
    process.env = { ...saved, TRUST_PROXY: value };
    return appConfig().trustProxy;
  };

  it('reads false and proxy addresses as Fastify takes them', () => {
    expect(trustProxy('false')).toBe(false);
    expect(trustProxy('10.0.0.0/8,127.0.0.1')).toBe('10.0.0.0/8,127.0.0.1');
  });

  it('refuses true: it would believe any X-Forwarded-For a client sends', () => {
    expect(() => trustProxy('true')).toThrow(/^Invalid configuration: TRUST_PROXY=true is refused/);
  });

  it('trusts exactly the given number of hops', () => {
    const trust = trustProxy('2') as (address: string, hop: number) => boolean;
    expect([0, 1, 2].map((hop) => trust('10.0.0.1', hop))).toEqual([true, true, false]);
  });
});

describe('appConfig.faultExitAfterOrderCommit (a test-only fault hook)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });
  const hook = (env: Record<string, string>) => {
    process.env = { ...saved, ...env };
    return appConfig().faultExitAfterOrderCommit;
  };

  it('is on only when set to 1', () => {
    expect(hook({ NODE_ENV: 'test', FAULT_EXIT_AFTER_ORDER_COMMIT: '1' })).toBe(true);
    expect(hook({ NODE_ENV: 'test', FAULT_EXIT_AFTER_ORDER_COMMIT: '0' })).toBe(false);
    expect(hook({ NODE_ENV: 'test', FAULT_EXIT_AFTER_ORDER_COMMIT: '' })).toBe(false);
    expect(hook({ NODE_ENV: 'production', FAULT_EXIT_AFTER_ORDER_COMMIT: '0' })).toBe(false);
  });

  it('is never honoured in production: a production server with it set refuses to start', () => {
    expect(() => hook({ NODE_ENV: 'production', FAULT_EXIT_AFTER_ORDER_COMMIT: '1' })).toThrow(
      'Invalid configuration: FAULT_EXIT_AFTER_ORDER_COMMIT is a test-only fault hook and is refused in production',
    );
  });

  it('refuses another value at boot, naming the variable', () => {
    expect(() => hook({ FAULT_EXIT_AFTER_ORDER_COMMIT: 'yes' })).toThrow(
      /Invalid configuration: FAULT_EXIT_AFTER_ORDER_COMMIT must be one of/,
    );
  });
});

describe('webhooksConfig', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });
  const load = (env: Record<string, string>) => {
    process.env = {
      ...saved,
      NODE_ENV: 'development',
      WEBHOOK_ALLOW_LOOPBACK: '',
      WEBHOOK_RETRY_SCHEDULE: '',
      WEBHOOK_DISABLE_AFTER: '',
      ...env,
    };
    return webhooksConfig();
  };

  it('reads the default retry schedule and disabling delay as milliseconds', () => {
    expect(load({})).toMatchObject({
      timeoutMs: 10_000,
      retryScheduleMs: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
      disableAfterMs: 432_000_000,
    });
    expect(load({ WEBHOOK_RETRY_SCHEDULE: '100ms,100ms,100ms' }).retryScheduleMs).toEqual([100, 100, 100]);
  });

  it('refuses loopback receivers in production unless WEBHOOK_ALLOW_LOOPBACK=true, and allows them elsewhere unless it is false', () => {
    const production = { NODE_ENV: 'production', API_KEYS: 'k', JWT_SECRET: 's' };
    expect(load(production).allowLoopback).toBe(false);
    expect(load({ ...production, WEBHOOK_ALLOW_LOOPBACK: 'true' }).allowLoopback).toBe(true);
    expect(load({}).allowLoopback).toBe(true);
    expect(load({ WEBHOOK_ALLOW_LOOPBACK: 'false' }).allowLoopback).toBe(false);
  });
});
