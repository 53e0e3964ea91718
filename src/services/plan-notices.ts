import { PermanentChatError, type NoticeView } from '../../adapters/chat-port.js';
import { isDuplicateKey, type PersonDoc } from '../store/store.js';
import type { Context } from './context.js';
import { chatAddress } from './people.js';

export type SendOnceResult = 'sent' | 'duplicate' | 'unreachable' | 'failed' | 'dropped';

export interface OnceNotice {
  /** What the message is for: a milestone step, a digest week, an alert window. */
  key: string;
  engagementId: string;
  kind: string;
  milestoneId?: string;
  person: Pick<PersonDoc, 'personId' | 'slack' | 'teams' | 'teamsReference'>;
  notice: NoticeView;
  /** Checked after the claim, just before sending; false drops the message. */
  stillWanted?: () => Promise<boolean>;
}

/**
 * Sends a notice to one person at most once per key, across processes and restarts: the
 * claim is an insert on a unique `_id`, made before sending, so a second worker or a rerun
 * finds it and sends nothing.
 *
 * A transient platform error releases the claim and rethrows, so the job's retry sends it.
 * A crash between the claim and the send leaves the claim in place and the message unsent:
 * Rapport prefers losing that one message to ever sending a nudge twice. Such claims stay in
 * state `claimed` with no `sentAt`, where they can be found.
 */
export async function sendOnce(ctx: Context, n: OnceNotice): Promise<SendOnceResult> {
  const _id = `${n.key}--${n.person.personId}`;
  try {
    await ctx.store.planNotices.create({
      _id,
      engagementId: n.engagementId,
      kind: n.kind,
      milestoneId: n.milestoneId ?? null,
      personId: n.person.personId,
      state: 'claimed',
      claimedAt: ctx.now(),
    });
  } catch (err) {
    if (isDuplicateKey(err)) return 'duplicate';
    throw err;
  }
  if (n.stillWanted && !(await n.stillWanted())) {
    await ctx.store.planNotices.deleteOne({ _id, state: 'claimed' });
    return 'dropped';
  }
  const address = chatAddress(n.person);
  const port = address ? ctx.chat[address.platform] : undefined;
  if (!address || !port) {
    const error = address ? 'platform is off' : 'no address';
    await ctx.store.planNotices.updateOne({ _id }, { $set: { state: 'unreachable', error } });
    return 'unreachable';
  }
  try {
    const message = await port.sendNotice(address, n.notice);
    await ctx.store.planNotices.updateOne(
      { _id },
      { $set: { state: 'sent', sentAt: ctx.now(), message } },
    );
    return 'sent';
  } catch (err) {
    if (err instanceof PermanentChatError) {
      await ctx.store.planNotices.updateOne(
        { _id },
        { $set: { state: 'failed', error: err.message } },
      );
      ctx.log.warn({ engagementId: n.engagementId, kind: n.kind }, 'plan notice failed');
      return 'failed';
    }
    await ctx.store.planNotices.deleteOne({ _id, state: 'claimed' });
    throw err;
  }
}

/** Active people of an engagement who hold `role`, both sides. */
export async function peopleWithRole(ctx: Context, engagementId: string, role: string) {
  return ctx.store.people.find({ engagementId, active: true, roles: role }).lean();
}
