import { dependencyFinding } from '../../__testUtils__/findings';

/*
 * The findings the sync's scenario suites import: one high openssl
 * vulnerability with its fix, a critical zlib one, a low tzdata one, and
 * any number of high ones.
 */

export const openssl = dependencyFinding('CVE-2024-1234', 'openssl', {
  severity: 'high',
  cwes: ['CWE-787'],
  package: {
    purl: 'pkg:deb/debian/openssl@3.0.2',
    name: 'openssl',
    version: '3.0.2',
    fixedVersion: '3.0.13',
  },
});

export const zlib = dependencyFinding('CVE-2023-45853', 'zlib', {
  severity: 'critical',
});

export const lowOne = dependencyFinding('CVE-2022-0001', 'tzdata', {
  severity: 'low',
});

/** `count` high findings, each its own observation. */
export const findings = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    dependencyFinding(`CVE-2024-${1000 + i}`, `lib${i}`, { severity: 'high' }),
  );
