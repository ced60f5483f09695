import { dailyMean, dailyVariance, demandWindowStart, describeDemand } from './demand';

/** The statistics from the sums the SQL gives, checked against the daily figures written out. */
describe('daily demand', () => {
  const fromDays = (days: number[], windowDays: number) => ({
    windowDays,
    total: days.reduce((sum, x) => sum + x, 0),
    sumOfSquares: days.reduce((sum, x) => sum + x * x, 0),
  });

  it('counts the days without sales as zeros: mean and population standard deviation over the whole window', () => {
    // 14 days of 4 units in a 28-day window: the figures are 4 × 14 and 0 × 14
    const demand = fromDays(Array(14).fill(4), 28);
    expect(dailyMean(demand)).toBe(2);
    expect(dailyVariance(demand)).toBe(4);
    expect(describeDemand(demand)).toEqual({ window_days: 28, daily_mean: 2, daily_stddev: 2 });
  });

  it('takes negative days (cancels of earlier orders) as they are', () => {
    const days = [5, -3, 2, 0];
    const demand = fromDays(days, 4);
    const mean = 1;
    const variance = days.reduce((sum, x) => sum + (x - mean) ** 2, 0) / 4;
    expect(dailyMean(demand)).toBe(mean);
    expect(dailyVariance(demand)).toBeCloseTo(variance, 12);
  });

  it('is zero for a window without sales, and never a negative variance', () => {
    expect(describeDemand({ windowDays: 28, total: 0, sumOfSquares: 0 })).toEqual({ window_days: 28, daily_mean: 0, daily_stddev: 0 });
    expect(dailyVariance(fromDays(Array(7).fill(3), 7))).toBe(0);
  });

  it('starts the window at midnight UTC, window - 1 days before today', () => {
    expect(demandWindowStart(new Date('2026-11-25T17:30:00.000Z'), 28).toISOString()).toBe('2026-10-29T00:00:00.000Z');
    expect(demandWindowStart(new Date('2026-11-25T00:00:00.000Z'), 1).toISOString()).toBe('2026-11-25T00:00:00.000Z');
  });
});
