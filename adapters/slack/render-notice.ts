import type { KnownBlock } from '@slack/types';
import type { NoticeView } from '../chat-port.js';

/** Slack action ids of notice buttons start with this, then the action name. */
export const NOTICE_ACTION_PREFIX = 'notice--';

/** Block ids of notice inputs start with this, then the input id. */
export const NOTICE_INPUT_PREFIX = 'input--';

/** Slack blocks of a notice: title and lines, input fields, then its buttons. */
export function noticeBlocks(notice: NoticeView): KnownBlock[] {
  const text = [`*${notice.title}*`, ...notice.lines].join('\n');
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text } }];
  for (const input of notice.inputs ?? []) {
    const element =
      input.kind === 'date'
        ? { type: 'datepicker' as const, action_id: input.id }
        : { type: 'plain_text_input' as const, action_id: input.id };
    blocks.push({
      type: 'input',
      block_id: `${NOTICE_INPUT_PREFIX}${input.id}`,
      label: { type: 'plain_text', text: input.label },
      element,
    });
  }
  const buttons = (notice.buttons ?? []).map((b, i) => ({
    type: 'button' as const,
    action_id: `${NOTICE_ACTION_PREFIX}${b.action}--${i}`,
    text: { type: 'plain_text' as const, text: b.label },
    value: b.value,
    ...(b.style ? { style: b.style } : {}),
  }));
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  return blocks;
}

/** The notification text of a notice. */
export function noticeText(notice: NoticeView): string {
  return notice.title;
}

/** The action name inside a notice button's action id, or null. */
export function noticeAction(actionId: string): string | null {
  if (!actionId.startsWith(NOTICE_ACTION_PREFIX)) return null;
  return actionId.slice(NOTICE_ACTION_PREFIX.length).split('--')[0] ?? null;
}

type StateValues = Record<
  string,
  Record<string, { value?: string | null; selected_date?: string | null }>
>;

/** Reads the notice's input values out of a block_actions payload's `state.values`. */
export function noticeInputs(values: StateValues | undefined): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const [blockId, fields] of Object.entries(values ?? {})) {
    if (!blockId.startsWith(NOTICE_INPUT_PREFIX)) continue;
    for (const [id, field] of Object.entries(fields)) {
      const v = field.value ?? field.selected_date;
      if (v) inputs[id] = v;
    }
  }
  return inputs;
}
