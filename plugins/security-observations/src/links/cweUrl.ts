/** MITRE's page of a weakness (`CWE-79` or `79`), if the id is one. */
export function cweUrl(cwe: string): string | undefined {
  const match = /^(?:CWE-)?(\d+)$/i.exec(cwe.trim());
  return match
    ? `https://cwe.mitre.org/data/definitions/${match[1]}.html`
    : undefined;
}
