import { DIMENSIONS, scaleOf, type Dimension, type Scale, type Side } from './dimension.js';

/** A question as asked of one side, with the other organisation's name filled in. */
export interface Question {
  /** Stable id; one question per dimension, so the dimension names it. */
  id: Dimension;
  dimension: Dimension;
  scale: Scale;
  text: string;
}

export interface Parties {
  client: string;
  provider: string;
}

type Phrasing = (p: Parties) => string;

/**
 * The default bank: each dimension asked of both sides, each phrased from its own seat.
 * The client's advocacy question is its NPS for the provider; the provider's is the
 * client-of-choice question about working on the client's account.
 */
const BANK: Record<Dimension, Record<Side, Phrasing>> = {
  advocacy: {
    client: (p) => `How likely are you to recommend ${p.provider} to a colleague or peer? (0–10)`,
    provider: (p) =>
      `How likely are you to recommend working on the ${p.client} account to a colleague? (0–10)`,
  },
  business_alignment: {
    client: (p) => `${p.provider} understands our business goals.`,
    provider: (p) => `We understand ${p.client}'s business goals.`,
  },
  relationship_alignment: {
    client: (p) => `Our relationship with ${p.provider} is open and built on trust.`,
    provider: (p) => `Our relationship with ${p.client} is open and built on trust.`,
  },
  future_value_alignment: {
    client: (p) => `${p.provider} brings ideas that will matter to us in the years ahead.`,
    provider: (p) => `We bring ideas that will matter to ${p.client} in the years ahead.`,
  },
  operational_performance: {
    client: (p) => `${p.provider} delivers the day-to-day service we agreed on.`,
    provider: (p) => `We deliver the day-to-day service we agreed with ${p.client}.`,
  },
  governance: {
    client: (p) => `Decisions and escalations with ${p.provider} are handled well.`,
    provider: (p) => `Decisions and escalations with ${p.client} are handled well.`,
  },
  project_services: {
    client: (p) => `Projects run by ${p.provider} land on time and as promised.`,
    provider: (p) => `The projects we run for ${p.client} land on time and as promised.`,
  },
};

/** The question on `dimension` as asked of `side`. */
export function questionFor(dimension: Dimension, side: Side, parties: Parties): Question {
  return {
    id: dimension,
    dimension,
    scale: scaleOf(dimension),
    text: BANK[dimension][side](parties),
  };
}

/** Labels of the five agreement buttons, for scores 1 to 5. */
export const AGREEMENT_LABELS = [
  'Strongly disagree',
  'Disagree',
  'Neutral',
  'Agree',
  'Strongly agree',
] as const;

/** The dimensions asked on the 1–5 agreement scale, in rotation order. */
export const ROTATION: readonly Dimension[] = DIMENSIONS.filter((d) => d !== 'advocacy');
