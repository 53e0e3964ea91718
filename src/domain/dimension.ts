/** The two organisations of an engagement. */
export const SIDES = ['client', 'provider'] as const;
export type Side = (typeof SIDES)[number];

/** Areas of the relationship, each scored from both sides. `advocacy` is the NPS question. */
export const DIMENSIONS = [
  'advocacy',
  'business_alignment',
  'relationship_alignment',
  'future_value_alignment',
  'operational_performance',
  'governance',
  'project_services',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** `nps` answers are 0–10; `agree5` answers are 1 (strongly disagree) to 5 (strongly agree). */
export const SCALES = ['nps', 'agree5'] as const;
export type Scale = (typeof SCALES)[number];

/** The scale a dimension is asked on. */
export function scaleOf(dimension: Dimension): Scale {
  return dimension === 'advocacy' ? 'nps' : 'agree5';
}

/** Whether a score is a whole number inside the scale's range. */
export function isValidScore(scale: Scale, score: number): boolean {
  if (!Number.isInteger(score)) return false;
  return scale === 'nps' ? score >= 0 && score <= 10 : score >= 1 && score <= 5;
}

export function otherSide(side: Side): Side {
  return side === 'client' ? 'provider' : 'client';
}
