/** What a redacted secret looks like wherever it is shown or stored. */
export const REDACTED = '[REDACTED]';

/**
 * Replaces every occurrence of each secret in the text. Secret scanners report
 * the secret itself (Gitleaks `Secret`, SARIF `region.snippet.text`); nothing
 * of it may reach the database, logs or the browser.
 */
export function redactSecrets(
  text: string | undefined,
  secrets: Array<string | undefined>,
): string | undefined {
  if (text === undefined) return undefined;
  let result = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) {
      result = result.split(secret).join(REDACTED);
    }
  }
  return result;
}
