import type { AlignmentFigure } from './alignment.js';
import { Z95, type Estimate } from './interval.js';

export interface GapFigure extends Estimate {
  significant: boolean;
}

/**
 * Perception gap = client index − provider index, with ±1.96·√(se_c² + se_p²); significant
 * when that interval excludes 0.
 */
export function gapFigure(client: AlignmentFigure, provider: AlignmentFigure): GapFigure {
  const value = client.value - provider.value;
  const half = Z95 * Math.sqrt(client.se ** 2 + provider.se ** 2);
  if (!Number.isFinite(half)) {
    return { value, low: -100, high: 100, significant: false };
  }
  const low = value - half;
  const high = value + half;
  return { value, low, high, significant: low > 0 || high < 0 };
}
