import type { Side } from '../domain/dimension.js';
import type { Store } from '../store/store.js';

/** Deliveries that reached a person: they count in the denominator of a response rate. */
const SENT_STATES = ['sent', 'answered', 'expired'] as const;

export interface ResponseRate {
  pulseId: string;
  occurrence: string;
  side: Side;
  sent: number;
  answered: number;
  /** answered / sent; null when nothing was sent to that side. */
  rate: number | null;
}

/**
 * Response rate per pulse and side = answered deliveries / sent deliveries, for the pulses of
 * an engagement opened in [from, to]. Paused, unreachable and failed deliveries count in
 * neither part.
 */
export async function responseRates(
  store: Store,
  engagementId: string,
  from: Date,
  to: Date,
): Promise<ResponseRate[]> {
  const pulses = await store.pulses
    .find({ engagementId, openedAt: { $gte: from, $lte: to } })
    .sort({ occurrence: 1 })
    .lean();
  const rates: ResponseRate[] = [];
  for (const pulse of pulses) {
    const deliveries = await store.deliveries
      .find({ pulseId: pulse._id, state: { $in: [...SENT_STATES] } })
      .select({ side: 1, state: 1 })
      .lean();
    for (const side of ['client', 'provider'] as const) {
      const mine = deliveries.filter((d) => d.side === side);
      const answered = mine.filter((d) => d.state === 'answered').length;
      rates.push({
        pulseId: pulse._id,
        occurrence: pulse.occurrence,
        side,
        sent: mine.length,
        answered,
        rate: mine.length > 0 ? answered / mine.length : null,
      });
    }
  }
  return rates;
}
