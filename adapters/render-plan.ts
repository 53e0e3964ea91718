import { milestoneLine, type ActionView } from '../src/services/action-plan.js';
import type { TextSection } from './render-scores.js';

/** An action plan as sections, one per action item; the same on every platform and the CLI. */
export function planSections(actions: ActionView[]): TextSection[] {
  return actions.map((a) => ({
    title: `${a.id}: ${a.title}`,
    lines: [
      `${a.dimension.replaceAll('_', ' ')}; owners ${a.owners
        .map((o) => `${o.name ?? o.id} (${o.side ?? '?'})`)
        .join(', ')}`,
      ...(a.milestones.length > 0 ? a.milestones.map(milestoneLine) : ['no milestones yet']),
    ],
  }));
}
