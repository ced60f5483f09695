import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { deliveryHeaders, newSecret, sign } from './signature';

describe('Standard Webhooks signatures', () => {
  it('signs the reference vector of the standard-webhooks repository', () => {
    // libraries/javascript/src/webhook.test.ts, "sign function works"
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    expect(sign(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('keys the HMAC with the base64-decoded secret after whsec_ and signs "{id}.{timestamp}.{body}"', () => {
    const key = Buffer.alloc(32, 7);
    const expected = createHmac('sha256', key).update('evt_1.1700000000.{"a":1}').digest('base64');
    expect(sign(`whsec_${key.toString('base64')}`, 'evt_1', 1700000000, '{"a":1}')).toBe(`v1,${expected}`);
  });

  it('issues 256-bit secrets as whsec_ + base64, a new one each time', () => {
    const secrets = [newSecret(), newSecret()];
    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    }
    expect(secrets[0]).not.toBe(secrets[1]);
  });

  it('sends headers that the standardwebhooks package verifies, and that it refuses for another body or secret', () => {
    const secret = newSecret();
    const body = JSON.stringify({ id: 'evt_0123', type: 'order.created', data: { total_price: 19.99, note: 'ünïcödé' } });
    const headers = deliveryHeaders(secret, 'evt_0123', body);
    expect(headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': 'evt_0123',
      'webhook-timestamp': expect.stringMatching(/^\d{10}$/),
    });
    expect(Math.abs(Number(headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(2);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(body.replace('19.99', '0.01'), headers)).toThrow();
    expect(() => new Webhook(newSecret()).verify(body, headers)).toThrow();
  });

  it('sends the request id of the change as x-request-id, outside what is signed, and none for scheduled work', () => {
    const secret = newSecret();
    const body = JSON.stringify({ id: 'evt_1', request_id: 'req-42' });
    const withId = deliveryHeaders(secret, 'evt_1', body, 'req-42', 1_700_000_000_000);
    expect(withId['x-request-id']).toBe('req-42');
    expect(withId['webhook-signature']).toBe(deliveryHeaders(secret, 'evt_1', body, null, 1_700_000_000_000)['webhook-signature']);
    expect(deliveryHeaders(secret, 'evt_1', body, null)).not.toHaveProperty('x-request-id');
  });
});
