/** Default minimum of distinct people before a side × dimension figure is shown. */
export const DEFAULT_PRIVACY_THRESHOLD = 3;

/** How many more distinct people must answer before a figure shows; 0 when it shows. */
export function peopleStillNeeded(people: number, threshold: number): number {
  return Math.max(0, threshold - people);
}
