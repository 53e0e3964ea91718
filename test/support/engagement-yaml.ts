/**
 * The engagement file of the small `acme-globex` engagement many tests use: weekly on Mondays
 * at 10:00 from 2026-01-05, in `timezone`, with the given `people` lines (YAML list items,
 * indented six spaces).
 */
export function acmeGlobexYaml(people: string, timezone = 'Europe/London'): string {
  return `
engagements:
  - id: acme-globex
    name: Acme x Globex
    client: Acme
    provider: Globex
    timezone: ${timezone}
    cadence: { every: 1 week, on: monday, at: "10:00", startsOn: 2026-01-05 }
    people:
${people.replace(/^\n/, '')}`;
}
