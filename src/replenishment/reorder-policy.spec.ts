import { demandReorderSettings, normalQuantile } from './reorder-policy';

describe('normalQuantile', () => {
  it.each([
    [0.5, 0],
    [0.8, 0.8416212335729144],
    [0.9, 1.2815515655446008],
    [0.95, 1.6448536269514715],
    [0.975, 1.9599639845400536],
    [0.99, 2.3263478740408408],
    [0.999, 3.090232306167813],
    [0.9999, 3.7190164854557084],
    [0.01, -2.3263478740408408],
    [0.02, -2.0537489106318225],
  ])('Φ⁻¹(%p) = %p within 1e-8', (p, z) => {
    expect(Math.abs(normalQuantile(p) - z)).toBeLessThan(1e-8);
  });

  it('gives the contract figures: 0.95 → 1.6449, 0.99 → 2.3263, 0.5 → 0', () => {
    expect(normalQuantile(0.95).toFixed(4)).toBe('1.6449');
    expect(normalQuantile(0.99).toFixed(4)).toBe('2.3263');
    expect(normalQuantile(0.5)).toBe(0);
  });

  it('is symmetric and refuses probabilities outside (0, 1)', () => {
    expect(normalQuantile(0.3)).toBeCloseTo(-normalQuantile(0.7), 12);
    expect(() => normalQuantile(0)).toThrow(RangeError);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});

describe('demandReorderSettings', () => {
  const policy = { leadTimeDays: 3, serviceLevel: 0.95, coverDays: 14 };

  it('is the README example: d = 2, σ = 2, L = 3, z = 1.6449 → threshold ceil(6 + 5.698) = 12, quantity 28', () => {
    // 14 days of 4 units in 28 days: Σx = 56, Σx² = 224
    expect(demandReorderSettings({ windowDays: 28, total: 56, sumOfSquares: 224 }, policy)).toEqual({
      reorderThreshold: 12,
      reorderQuantity: 28,
    });
  });

  it('uses a lead time of at least one day', () => {
    const demand = { windowDays: 28, total: 56, sumOfSquares: 224 };
    // L = 1: ceil(2 + 1.6449 · 2) = ceil(5.29) = 6
    expect(demandReorderSettings(demand, { ...policy, leadTimeDays: 0 })).toEqual({ reorderThreshold: 6, reorderQuantity: 28 });
    expect(demandReorderSettings(demand, { ...policy, leadTimeDays: 1 })).toEqual({ reorderThreshold: 6, reorderQuantity: 28 });
  });

  it('does not round a whole number of units up by floating point', () => {
    // 10 units in 28 days, L = 28: d·L is exactly 10 (10/28·28 in floating point is 10.000000000000002)
    const steady = { windowDays: 28, total: 10, sumOfSquares: 10 };
    expect(demandReorderSettings(steady, { leadTimeDays: 28, serviceLevel: 0.5, coverDays: 28 })).toEqual({
      reorderThreshold: 10,
      reorderQuantity: 10,
    });
  });

  it('orders at least one unit, and keeps the values of a product without sales', () => {
    expect(demandReorderSettings({ windowDays: 28, total: 1, sumOfSquares: 1 }, { ...policy, coverDays: 1 })?.reorderQuantity).toBe(1);
    expect(demandReorderSettings({ windowDays: 28, total: 0, sumOfSquares: 0 }, policy)).toBeNull();
    // everything sold was cancelled again (net 0), or cancels of older orders outweigh the window's sales
    expect(demandReorderSettings({ windowDays: 28, total: 0, sumOfSquares: 18 }, policy)).toBeNull();
    expect(demandReorderSettings({ windowDays: 28, total: -3, sumOfSquares: 9 }, policy)).toBeNull();
  });
});
