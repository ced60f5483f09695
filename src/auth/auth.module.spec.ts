import { JwtService } from '@nestjs/jwt';
import type { AuthConfig } from '../config/configuration';
import { jwtOptions } from './auth.module';

describe('jwtOptions', () => {
  // a fixed iat: the same claims signed with the same key bytes give the same token
  const claims = { sub: '7', typ: 'customer', aid: 3, ver: 0, iat: 1_764_000_000, exp: 4_102_444_800 };

  it.each([['test-jwt-secret'], ['sécret-ключ-🔑 with spaces']])(
    'signs and verifies exactly as the string secret %p did, so tokens issued before the change stay valid',
    async (secret) => {
      const asString = new JwtService({ secret, signOptions: { algorithm: 'HS256' } });
      const sut = new JwtService(jwtOptions({ jwtSecret: secret } as AuthConfig));

      const before = await asString.signAsync(claims);
      const after = await sut.signAsync(claims);

      expect(after).toBe(before);
      await expect(sut.verifyAsync(before, { algorithms: ['HS256'] })).resolves.toEqual(claims);
      await expect(asString.verifyAsync(after, { algorithms: ['HS256'] })).resolves.toEqual(claims);
    },
  );

  it('refuses a token signed with another secret', async () => {
    const sut = new JwtService(jwtOptions({ jwtSecret: 'test-jwt-secret' } as AuthConfig));
    const forged = await new JwtService({ secret: 'test-jwt-secreT' }).signAsync(claims);

    await expect(sut.verifyAsync(forged, { algorithms: ['HS256'] })).rejects.toThrow('invalid signature');
  });
});
