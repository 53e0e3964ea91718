import type { Dimension } from './dimension.js';
import { ROTATION } from './questions.js';

/** What a person was asked before: the last time each dimension reached them. */
export type AskedHistory = Partial<Record<Dimension, Date>>;

/**
 * Picks the dimensions of one person's pulse: the NPS question first when it is due (not
 * asked since `npsWindowStart`), then the agreement dimensions least recently asked, never
 * asked first and ties in rotation order. With q questions a pulse, every dimension reaches
 * every person within ⌈6 / (q − 1)⌉ pulses.
 */
export function planQuestions(
  history: AskedHistory,
  npsWindowStart: Date,
  perPulse: number,
): Dimension[] {
  const picked: Dimension[] = [];
  const lastNps = history.advocacy;
  if (!lastNps || lastNps < npsWindowStart) picked.push('advocacy');
  const byAge = [...ROTATION].sort((a, b) => {
    const ta = history[a]?.getTime() ?? -Infinity;
    const tb = history[b]?.getTime() ?? -Infinity;
    return ta === tb ? ROTATION.indexOf(a) - ROTATION.indexOf(b) : ta - tb;
  });
  for (const d of byAge) {
    if (picked.length >= perPulse) break;
    picked.push(d);
  }
  return picked.slice(0, perPulse);
}
