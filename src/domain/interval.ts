/** Two-sided 95 % normal quantile. */
export const Z95 = 1.96;

/** A point estimate with its 95 % interval. */
export interface Estimate {
  value: number;
  low: number;
  high: number;
}

export function clip(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
