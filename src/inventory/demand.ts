/**
 * Daily demand as the ledger shows it: per UTC calendar day, the units ordered net of cancels (each movement
 * on its own day), over a window of `windowDays` days that ends today. The SQL (InventoryService.dailyDemand)
 * groups the movements by day and returns two sums over the days that had any; the days without sales count
 * as 0, which they add to neither sum, so the statistics are exact from the sums and the window's length.
 */
export interface DailyDemand {
  windowDays: number;
  /** Σ of the daily figures: units ordered net of cancels over the window. */
  total: number;
  /** Σ of the squares of the daily figures. */
  sumOfSquares: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The first instant of the window: midnight UTC, `windowDays - 1` days before today. */
export function demandWindowStart(now: Date, windowDays: number): Date {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - (windowDays - 1) * DAY_MS);
}

/** The mean of the daily figures, d. */
export function dailyMean({ total, windowDays }: DailyDemand): number {
  return total / windowDays;
}

/**
 * The population variance of the daily figures, σ², computed as (N·Σx² − (Σx)²) / N² so that integer
 * sums give an exact numerator (never slightly negative, as Σx²/N − d² can be in floating point).
 */
export function dailyVariance({ total, sumOfSquares, windowDays }: DailyDemand): number {
  return Math.max(0, windowDays * sumOfSquares - total * total) / (windowDays * windowDays);
}

/** What the stock answer shows, rounded to 4 decimals. */
export function describeDemand(demand: DailyDemand): { window_days: number; daily_mean: number; daily_stddev: number } {
  const round = (value: number) => Math.round(value * 10_000) / 10_000;
  return { window_days: demand.windowDays, daily_mean: round(dailyMean(demand)), daily_stddev: round(Math.sqrt(dailyVariance(demand))) };
}
