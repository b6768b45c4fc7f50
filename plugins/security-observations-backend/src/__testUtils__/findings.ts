import { ParsedFinding } from '../ingest/parsers/types';

/** A realistic dependency finding, as a Trivy parse would give it. */
export function dependencyFinding(
  cve: string,
  pkg: string,
  overrides: Partial<ParsedFinding> = {},
): ParsedFinding {
  return {
    identityKey: `${cve}\u001fpkg:apk/alpine/${pkg}`,
    title: `${cve}: vulnerability in ${pkg}`,
    description: `A flaw was found in ${pkg}.`,
    severity: 'high',
    status: 'open',
    ruleId: cve,
    vulnerabilityIds: [cve],
    cwes: ['CWE-787'],
    package: {
      purl: `pkg:apk/alpine/${pkg}@1.0.0-r0`,
      name: pkg,
      version: '1.0.0-r0',
      fixedVersion: '1.0.1-r0',
    },
    location: { image: 'registry.example.com/payments-api:1.4.2' },
    ...overrides,
  };
}
