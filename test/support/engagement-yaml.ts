/**
 * The engagement file of the small `acme-globex` engagement many tests use: weekly on Mondays
 * at 10:00 from 2026-01-05, in `timezone`, with the given `people` lines (YAML list items,
 * indented six spaces) and engagement `settings` such as `privacyThreshold`.
 */
export function acmeGlobexYaml(
  people: string,
  timezone = 'Europe/London',
  settings: Record<string, number> = {},
): string {
  const lines = Object.entries(settings).map(([k, v]) => `    ${k}: ${v}\n`);
  return `
engagements:
  - id: acme-globex
    name: Acme x Globex
    client: Acme
    provider: Globex
    timezone: ${timezone}
    cadence: { every: 1 week, on: monday, at: "10:00", startsOn: 2026-01-05 }
${lines.join('')}    people:
${people.replace(/^\n/, '')}`;
}
