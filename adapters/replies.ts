import type { ScoresRequestResult } from '../src/services/requests.js';

/** What a click after the pulse closed is told, on every platform. */
export const CLOSED_TEXT =
  'This pulse has closed, so that click was not counted. Thank you all the same.';

/** What a click on someone else's pulse is told, on every platform. */
export const NOT_YOURS_TEXT = 'This pulse was sent to someone else, so that click was not counted.';

/** The reply to a scores request that yields no scores, the same on every platform. */
export function scoresRefusalText(result: Exclude<ScoresRequestResult, { kind: 'scores' }>) {
  switch (result.kind) {
    case 'unknown-engagement':
      return `There is no engagement called "${result.engagementId}".`;
    case 'choose':
      return `You manage several engagements; name one: ${result.engagements.join(', ')}.`;
    case 'not-allowed':
      return (
        'Sorry, scores are shared with relationship managers only. ' +
        'Ask yours if you would like to see them.'
      );
  }
}
