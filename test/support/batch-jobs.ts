import type { Runtime } from '../../src/app.js';

/** A `deliver-pulses` job as planning queued it: its id and payload. */
export interface BatchJob {
  id: string;
  pulseId: string;
  deliveryIds: string[];
}

/** The batch send jobs waiting in the runtime's queue, due or not. */
export async function batchJobs(rt: Pick<Runtime, 'ctx'>): Promise<BatchJob[]> {
  const jobs = await rt.ctx.jobs.queue.getJobs(['wait', 'delayed', 'prioritized']);
  return jobs
    .filter((j) => j.name === 'deliver-pulses')
    .map((j) => ({ id: j.id!, ...(j.data as { pulseId: string; deliveryIds: string[] }) }));
}
