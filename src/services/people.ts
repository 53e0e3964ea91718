import type { ChatAddress } from '../../adapters/chat-port.js';
import type { Store } from '../store/store.js';

type PersonRecord = Awaited<ReturnType<Store['people']['findOne']>> & {};

/** A person's time zone: the engagement file's, else the platform's, else the engagement's. */
export function personTimezone(
  person: Pick<PersonRecord, 'configTimezone' | 'platformTimezone'>,
  engagementTimezone: string,
): string {
  return person.configTimezone ?? person.platformTimezone ?? engagementTimezone;
}

/** Where to reach a person, or null when they cannot be reached yet. */
export function chatAddress(
  person: Pick<PersonRecord, 'slack' | 'teams' | 'teamsReference'>,
): ChatAddress | null {
  if (person.slack?.team && person.slack.user) {
    return { platform: 'slack', team: person.slack.team, user: person.slack.user };
  }
  if (person.teams?.tenant && person.teams.user && person.teamsReference) {
    return {
      platform: 'teams',
      tenant: person.teams.tenant,
      user: person.teams.user,
      reference: person.teamsReference,
    };
  }
  return null;
}

/** The people a Slack user is, one per engagement they take part in. */
export async function peopleBySlackUser(store: Store, team: string, user: string) {
  return store.people.find({ 'slack.team': team, 'slack.user': user, active: true }).lean();
}

/** Active people of an engagement that no platform can reach yet, by side. */
export async function unreachablePeople(store: Store, engagementId: string) {
  const people = await store.people.find({ engagementId, active: true }).lean();
  const unreachable = people.filter((p) => chatAddress(p) === null);
  return {
    client: unreachable.filter((p) => p.side === 'client').map((p) => p.personId),
    provider: unreachable.filter((p) => p.side === 'provider').map((p) => p.personId),
  };
}

/**
 * The person a delivery is for: by document key when the delivery keeps it, which stays fast
 * on servers that scan for other filters (FerretDB), else by engagement and person id.
 */
export async function personOfDelivery(
  store: Store,
  delivery: { engagementId: string; personId: string; personRef?: unknown },
) {
  if (delivery.personRef) {
    const person = await store.people.findById(delivery.personRef).lean();
    if (person) return person;
  }
  return store.people
    .findOne({ engagementId: delivery.engagementId, personId: delivery.personId })
    .lean();
}
