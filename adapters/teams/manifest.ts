const SCHEMA_BASE = 'https://developer.microsoft.com/json-schemas/teams';

/** The Teams app manifest version Rapport's package targets. */
export const MANIFEST_VERSION = '1.29';

/** What varies between installations of the app package. */
export interface ManifestOptions {
  /** The bot's Microsoft App (client) id, a GUID; also used as the app id. */
  botId: string;
  /** Semver of the package; bump it for each upload. Default `0.1.0`. */
  version?: string;
  /** Public site of whoever runs Rapport; default `https://example.com/rapport`. */
  websiteUrl?: string;
}

/**
 * The Teams app manifest: one bot, personal scope only (pulses and scores are one to one),
 * with the `scores` command listed. Icons are `color.png` (192×192) and `outline.png` (32×32).
 */
export function teamsManifest(options: ManifestOptions): Record<string, unknown> {
  const site = options.websiteUrl ?? 'https://example.com/rapport';
  return {
    $schema: `${SCHEMA_BASE}/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`,
    manifestVersion: MANIFEST_VERSION,
    version: options.version ?? '0.1.0',
    id: options.botId,
    developer: {
      name: 'Rapport',
      websiteUrl: site,
      privacyUrl: `${site}/privacy`,
      termsOfUseUrl: `${site}/terms`,
    },
    name: { short: 'Rapport', full: 'Rapport: two-sided relationship pulse' },
    description: {
      short: 'One-click pulses on a client–provider relationship, for both sides.',
      full:
        'Rapport asks the client and the provider side of an outsourcing relationship short ' +
        'one-click questions, and gives relationship managers the NPS, the alignment scores of ' +
        'each side and the gaps between them. Type "scores" in the chat to see them.',
    },
    icons: { color: 'color.png', outline: 'outline.png' },
    accentColor: '#2E6F8E',
    bots: [
      {
        botId: options.botId,
        scopes: ['personal'],
        isNotificationOnly: false,
        supportsFiles: false,
        commandLists: [
          {
            scopes: ['personal'],
            commands: [
              { title: 'scores', description: 'Current scores (relationship managers only)' },
            ],
          },
        ],
      },
    ],
    permissions: ['identity', 'messageTeamMembers'],
    validDomains: [],
  };
}
