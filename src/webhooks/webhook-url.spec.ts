import { lookup } from 'node:dns/promises';
import { forbiddenHost, isLoopbackOrLinkLocal } from './webhook-url';

jest.mock('node:dns/promises', () => ({ lookup: jest.fn() }));
const resolvesTo = (...addresses: string[]) =>
  (lookup as unknown as jest.Mock).mockResolvedValueOnce(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));

describe('the loopback rule for webhook URLs', () => {
  it('knows loopback and link-local addresses, v4, v6 and v4-mapped', () => {
    for (const address of [
      '127.0.0.1',
      '127.8.9.10',
      '0.0.0.0',
      '169.254.169.254',
      '::1',
      '::',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
    ]) {
      expect([address, isLoopbackOrLinkLocal(address)]).toEqual([address, true]);
    }
    for (const address of [
      '10.0.0.5',
      '192.168.1.1',
      '172.16.0.1',
      '8.8.8.8',
      '2001:db8::1',
      'fd00::1',
      '::ffff:10.0.0.5',
      'example.com',
    ]) {
      expect([address, isLoopbackOrLinkLocal(address)]).toEqual([address, false]);
    }
  });

  it.each([
    'http://localhost:3000/hook',
    'http://LOCALHOST./hook',
    'http://api.localhost/hook',
    'http://127.0.0.1/hook',
    'http://2130706433/hook',
    'http://0x7f.1/hook',
    'http://[::1]:8080/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://169.254.169.254/latest/meta-data',
    'https://[fe80::1]/hook',
  ])('refuses %s as written, without asking DNS', async (url) => {
    expect(await forbiddenHost(url)).toEqual(expect.stringContaining('loopback'));
    expect(lookup).not.toHaveBeenCalled();
  });

  it('allows private and public addresses: internal services live there', async () => {
    expect(await forbiddenHost('http://10.0.0.5:8080/hook')).toBeNull();
    expect(await forbiddenHost('https://[2001:db8::1]/hook')).toBeNull();
  });

  it('refuses a name that resolves to a loopback or link-local address, among others', async () => {
    resolvesTo('203.0.113.7', '127.0.0.1');
    expect(await forbiddenHost('https://sneaky.example/hook')).toBe(
      'sneaky.example resolves to 127.0.0.1, a loopback or link-local address',
    );
    resolvesTo('fe80::1');
    expect(await forbiddenHost('https://sneaky6.example/hook')).toMatch(/resolves to fe80::1/);
  });

  it('allows a name that resolves elsewhere, or not at all (its deliveries fail and are retried)', async () => {
    resolvesTo('203.0.113.7');
    expect(await forbiddenHost('https://fulfilment.example/hook')).toBeNull();
    (lookup as unknown as jest.Mock).mockRejectedValueOnce(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));
    expect(await forbiddenHost('https://not-yet.example/hook')).toBeNull();
  });

  afterEach(() => (lookup as unknown as jest.Mock).mockReset());
});
