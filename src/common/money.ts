/**
 * Money is held as integer minor units (cents) everywhere inside the service and crosses the wire as a
 * number with at most two decimals. Conversions go through strings so that no binary-float error
 * (19.99 * 100 = 1998.9999…) can creep in.
 */
export function toCents(amount: number): number {
  const [whole, fraction = ''] = amount.toFixed(2).split('.');
  const sign = whole.startsWith('-') ? -1 : 1;
  return sign * (Math.abs(Number(whole)) * 100 + Number(fraction.padEnd(2, '0')));
}

export function fromCents(cents: number): number {
  return Number((cents / 100).toFixed(2));
}

/**
 * A money amount as the wire may carry it: a finite number with at most two decimals, judged by its value, not
 * by how the JSON wrote it (`1e2` is 100 and fine; `1e-7` has seven decimals). Values that need more than two
 * decimals to be written exactly (1.005, 0.1 + 0.2) are refused rather than rounded.
 */
export function isMoneyAmount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Number(value.toFixed(2)) === value;
}
