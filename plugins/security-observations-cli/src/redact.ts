/** Replaces the token wherever it would appear in what is printed. */
export const REDACTED = '***';

/**
 * The secrets of this run: the token from the environment and from the
 * command line, found before the command line is read, so that even an
 * error about the command line cannot echo one.
 */
export function secretsOf(
  argv: string[],
  env: Record<string, string | undefined>,
  tokenVariable: string,
): string[] {
  const secrets = [env[tokenVariable]];
  argv.forEach((arg, index) => {
    if (arg === '--token') secrets.push(argv[index + 1]);
    else if (arg.startsWith('--token=')) secrets.push(arg.slice(8));
  });
  return secrets
    .map(secret => secret?.trim())
    .filter((secret): secret is string => !!secret && secret.length >= 4);
}

/** A writer that never writes one of the secrets. */
export function redactingWriter(
  write: (text: string) => unknown,
  secrets: string[],
): (text: string) => void {
  return text => {
    let safe = text;
    for (const secret of secrets) safe = safe.split(secret).join(REDACTED);
    write(safe);
  };
}
