/**
 * What an integrating service writes against the client (the README shows it). It is type-checked with the
 * package, and src/platform/openapi/typed-client.spec.ts shows that a change of the contract it relies on stops
 * it compiling.
 */
import { createEcommerceClient, type Order, type Problem } from '../src/index.js';

/** A failed call, carrying the server's problem details (`status`, `code`, `detail`, `errors`). */
export class EcommerceError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
  }
}

/** A fulfilment service with its API key: places an order for a customer, then ships it. */
export async function placeAndShip(baseUrl: string, apiKey: string, customerId: number, productId: number): Promise<Order> {
  const client = createEcommerceClient({ baseUrl, apiKey });

  const placed = await client.POST('/orders', {
    body: { customer_id: customerId, items: [{ product_id: productId, quantity: 1 }] },
  });
  if (placed.error) throw new EcommerceError(placed.error);
  const { order } = placed.data;

  for (const status of ['processing', 'shipped'] as const) {
    const moved = await client.PATCH('/orders/{id}/status', {
      params: { path: { id: order.id } },
      body: { status, ...(status === 'shipped' && { carrier: 'DHL', tracking_number: 'JD014600003SE' }) },
    });
    if (moved.error) throw new EcommerceError(moved.error);
  }
  return order;
}

/** A customer's own view with the token from `POST /auth/login`: where is my order, and what did it cost? */
export async function trackMyOrder(baseUrl: string, username: string, password: string, orderId: number): Promise<string> {
  const login = await createEcommerceClient({ baseUrl }).POST('/auth/login', { body: { username, password } });
  if (login.error) throw new EcommerceError(login.error);

  const client = createEcommerceClient({ baseUrl, token: login.data.access_token });
  const [order, track] = await Promise.all([
    client.GET('/orders/{id}', { params: { path: { id: orderId } } }),
    client.GET('/orders/{id}/track', { params: { path: { id: orderId } } }),
  ]);
  if (order.error) throw new EcommerceError(order.error);
  if (track.error) throw new EcommerceError(track.error);
  return `${track.data.status} (${track.data.carrier ?? 'no carrier yet'}), ${order.data.total_price} paid`;
}
