import { MAX_STOCK } from '../common/limits';
import { dailyVariance, type DailyDemand } from '../inventory/demand';

/**
 * The standard normal quantile Φ⁻¹(p) by Peter Acklam's rational approximation (relative error below
 * 1.15e-9 over (0, 1)): a central rational function of (p − 0.5)², and tail functions of √(−2 ln p).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) =>
    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  const pLow = 0.02425;
  if (p < pLow) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - pLow) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

export interface DemandPolicySettings {
  leadTimeDays: number;
  /** 0.5 ≤ service level < 1. */
  serviceLevel: number;
  coverDays: number;
}

/**
 * The demand policy (README "Stock and replenishment"): with d the daily mean, σ the daily standard deviation
 * and L = max(1, lead time) days,
 *   reorder_threshold = ceil(d·L + z·σ·√L), z = Φ⁻¹(service level)   (demand during the lead time + safety stock)
 *   reorder_quantity  = max(1, ceil(d · cover_days))
 * d·L and d·cover_days are computed as Σ·L / N, one exact division, so that a whole number of units is
 * never rounded up to the next one by floating point. Null when the window had no sales (net of cancels):
 * the product then keeps its values.
 */
export function demandReorderSettings(
  demand: DailyDemand,
  settings: DemandPolicySettings,
): { reorderThreshold: number; reorderQuantity: number } | null {
  if (demand.total <= 0) return null;
  const leadTime = Math.max(1, settings.leadTimeDays);
  const safetyStock = normalQuantile(settings.serviceLevel) * Math.sqrt(dailyVariance(demand) * leadTime);
  const threshold = Math.ceil((demand.total * leadTime) / demand.windowDays + safetyStock);
  const quantity = Math.ceil((demand.total * settings.coverDays) / demand.windowDays);
  return {
    reorderThreshold: Math.min(MAX_STOCK, Math.max(0, threshold)),
    reorderQuantity: Math.min(MAX_STOCK, Math.max(1, quantity)),
  };
}
