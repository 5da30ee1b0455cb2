const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;
const MAX_LENGTH = 300;

/**
 * An error's message fit for a public response or a log line: URLs (which may carry API keys
 * or passwords, as RPC and database URLs do) are replaced, and the length is bounded.
 */
export function safeErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const redacted = message.replace(URL_PATTERN, '[url]');
  return redacted.length > MAX_LENGTH ? `${redacted.slice(0, MAX_LENGTH)}…` : redacted;
}
