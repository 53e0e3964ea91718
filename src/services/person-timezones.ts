import { subWeeks } from 'date-fns';
import { PermanentChatError } from '../../adapters/chat-port.js';
import type { PersonDoc } from '../store/store.js';
import type { Context } from './context.js';
import { chatAddress } from './people.js';

type PersonRecord = PersonDoc & { _id: unknown };

/** Platform time zones older than this are asked for again. */
const REFRESH_WEEKS = 1;

/** Lookups run at once while refreshing. */
const CONCURRENCY = 8;

/**
 * Asks the chat platform for the time zone of each active person of an engagement whose last
 * answer is a week old or missing, and keeps it as `platformTimezone` (the field Slack's
 * `users.info` and Teams' `localTimezone` both fill). A lookup that fails for now keeps what
 * was known and is tried again at the next planning. Returns how many people were asked.
 * A caller that has read the engagement's active people passes them (`active`): they are not
 * read again, and the refreshed time zones are set on them too.
 */
export async function refreshPlatformTimezones(
  ctx: Context,
  engagementId: string,
  active?: PersonRecord[],
) {
  const stale = subWeeks(ctx.now(), REFRESH_WEEKS);
  const everyone = active ?? (await ctx.store.people.find({ engagementId, active: true }).lean());
  const people = everyone.filter(
    (p) => !p.platformTimezoneCheckedAt || p.platformTimezoneCheckedAt < stale,
  );
  const askable = people.flatMap((p) => {
    const address = chatAddress(p);
    const port = address ? ctx.chat[address.platform] : undefined;
    return address && port?.userTimezone ? [{ person: p, address, port }] : [];
  });
  let next = 0;
  const work = async () => {
    while (next < askable.length) {
      const { person, address, port } = askable[next++]!;
      try {
        const tz = await port.userTimezone!(address).catch((err: unknown) => {
          // A person the platform does not know is asked again next week, not every day.
          if (err instanceof PermanentChatError) return null;
          throw err;
        });
        const checked = {
          platformTimezoneCheckedAt: ctx.now(),
          ...(tz && isTimeZone(tz) ? { platformTimezone: tz } : {}),
        };
        await ctx.store.people.updateOne({ _id: person._id }, { $set: checked });
        Object.assign(person, checked);
      } catch (err) {
        ctx.log.warn({ engagementId, err: (err as Error).message }, 'time zone lookup failed');
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, work));
  return askable.length;
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
