import { requestIdOf } from './webhook-dispatcher';

describe('requestIdOf', () => {
  it("reads the request id from a delivery's stored body: the request's, or none for scheduled work and older events", () => {
    expect(requestIdOf(JSON.stringify({ id: 'evt_1', actor: null, request_id: 'req-42', data: {} }))).toBe('req-42');
    expect(requestIdOf(JSON.stringify({ id: 'evt_2', request_id: null, data: {} }))).toBeNull();
    expect(requestIdOf(JSON.stringify({ id: 'evt_3', data: {} }))).toBeNull();
  });
});
