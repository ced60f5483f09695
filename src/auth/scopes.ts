/**
 * What an API key may do. Every route that takes an API key names the one scope it needs next to its access
 * marking (`@ApiKeyOnly('orders:write')`); `admin` reaches every route. Customers' tokens carry no scopes: they
 * stay confined to their own data. The descriptions are what Swagger and the README show.
 */
export const SCOPE_DESCRIPTIONS = {
  'customers:read': 'read customers and their accounts',
  'customers:write': 'create, update and delete customers and their accounts, passwords included',
  'catalog:write': 'create, update and delete products; reading the catalogue is public',
  'inventory:read': 'read stock levels, the stock ledger, low stock and replenishment orders',
  'inventory:write': 'set and adjust stock, run the replenishment pass, order, receive and cancel replenishments',
  'orders:read': 'read, list and track orders and order history',
  'orders:write': 'place orders, change their status and cancel them',
  'events:read': 'read the event feed',
  'webhooks:write': 'register, read, change and delete webhook endpoints, read their delivery logs and retry deliveries',
  admin: 'everything above, and managing API keys',
} as const;

export type Scope = keyof typeof SCOPE_DESCRIPTIONS;

export const SCOPES = Object.keys(SCOPE_DESCRIPTIONS) as Scope[];

export const ADMIN_SCOPE: Scope = 'admin';

export const isScope = (value: unknown): value is Scope => typeof value === 'string' && Object.hasOwn(SCOPE_DESCRIPTIONS, value);

/** Whether a key holding `held` may call a route that needs `needed`. */
export const grants = (held: readonly Scope[], needed: Scope): boolean => held.includes(needed) || held.includes(ADMIN_SCOPE);
