/** Bounds the service enforces on input, in one place (validation, the conditional UPDATEs, Swagger). */

/** The largest id a path or body may name (a signed 32-bit INTEGER column). */
export const MAX_ID = 2_147_483_647;

/** The most units of stock one product may hold. */
export const MAX_STOCK = 1_000_000;

/** The largest price, in currency units. */
export const MAX_PRICE = 999_999.99;

/** The most units of one product in an order, and the most lines. */
export const MAX_LINE_QUANTITY = 10_000;
export const MAX_LINES = 100;

/** The longest supplier lead time and demand-policy cover a product may have, in days. */
export const MAX_LEAD_TIME_DAYS = 365;
export const MAX_COVER_DAYS = 365;
