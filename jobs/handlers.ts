import type { Context } from '../src/services/context.js';
import { deliver, refreshMessage } from '../src/services/deliveries.js';
import { deliverBatch } from '../src/services/delivery-batch.js';
import { sendDigest } from '../src/services/digest.js';
import { checkMilestones } from '../src/services/milestone-check.js';
import { closePulse } from '../src/services/close.js';
import { planPulses } from '../src/services/pulses.js';
import { remind } from '../src/services/reminders.js';
import { recoverRollups } from '../src/services/rollup-recovery.js';
import type { Handlers } from './worker.js';

/** Binds each job kind to its use case. */
export function jobHandlers(ctx: Context): Handlers {
  return {
    'plan-pulses': ({ engagementId }) => planPulses(ctx, engagementId),
    'deliver-pulses': ({ pulseId, deliveryIds }) => deliverBatch(ctx, pulseId, deliveryIds),
    'deliver-pulse': ({ deliveryId }) => deliver(ctx, deliveryId),
    'refresh-message': ({ deliveryId }) => refreshMessage(ctx, deliveryId),
    'check-milestones': ({ engagementId, asOf }) =>
      checkMilestones(ctx, engagementId, asOf ? new Date(asOf) : ctx.now()),
    'send-digest': ({ engagementId, timezone }) =>
      sendDigest(ctx, engagementId, timezone, ctx.now()),
    'remind-delivery': ({ deliveryId, reminder }) => remind(ctx, deliveryId, reminder),
    'close-pulse': ({ pulseId }) => closePulse(ctx, pulseId),
    'recover-rollups': () => recoverRollups(ctx),
  };
}
