/** Stable codes of the errors Rapport raises on purpose. */
export const ErrorCode = {
  UserInput: 'USER_INPUT',
  EnvInvalid: 'ENV_INVALID',
  EngagementFileInvalid: 'ENGAGEMENT_FILE_INVALID',
  AnswersFileInvalid: 'ANSWERS_FILE_INVALID',
  ChatPermanent: 'CHAT_PERMANENT',
} as const;

/** A mistake in what a person typed or sent; the CLI prints its one-line message, exit 1. */
export class UserError extends Error {
  readonly code: string = ErrorCode.UserInput;
}
