import { fromCents, isMoneyAmount, toCents } from './money';

describe('money', () => {
  it.each([
    [19.99, 1999],
    [0.1, 10],
    [0.2, 20],
    [12.34, 1234],
    [4.35, 435], // 4.35 * 100 = 434.99999999999994 in floating point
    [999999.99, 99999999],
    [0.01, 1],
    [5, 500],
  ])('toCents(%p) = %p', (amount, cents) => expect(toCents(amount)).toBe(cents));

  it('sums exactly in cents: 0.10 + 0.20 = 0.30 and 19.99 × 3 = 59.97', () => {
    expect(fromCents(toCents(0.1) + toCents(0.2))).toBe(0.3);
    expect(fromCents(toCents(19.99) * 3)).toBe(59.97);
    expect(0.1 + 0.2).not.toBe(0.3); // what floating point would have answered
  });

  it('fromCents gives numbers with at most two decimals', () => {
    expect(fromCents(1999)).toBe(19.99);
    expect(fromCents(30)).toBe(0.3);
    expect(fromCents(5997)).toBe(59.97);
  });

  it.each([19.99, 0.1, 0.01, 5, 1e2, 999999.99, 4.35, -0, 1e308])(
    'isMoneyAmount(%p) holds: at most two decimals, however written',
    (value) => expect(isMoneyAmount(value)).toBe(true),
  );

  it.each([1e-7, 1.999, 1.005, 0.1 + 0.2, 5e-324, Infinity, NaN, '19.99', null])('isMoneyAmount(%p) fails', (value) =>
    expect(isMoneyAmount(value)).toBe(false),
  );
});
