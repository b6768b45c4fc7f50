/**
 * Where to read about a vulnerability id: the authority of its namespace,
 * else OSV, which aggregates most of the others (PYSEC, RUSTSEC, ...).
 */
export function advisoryUrl(vulnerabilityId: string): string {
  const id = vulnerabilityId.trim();
  const encoded = encodeURIComponent(id);
  if (/^CVE-/i.test(id)) {
    return `https://nvd.nist.gov/vuln/detail/${encoded}`;
  }
  if (/^GHSA-/i.test(id)) {
    return `https://github.com/advisories/${encoded}`;
  }
  if (/^GO-/i.test(id)) {
    return `https://pkg.go.dev/vuln/${encoded}`;
  }
  return `https://osv.dev/vulnerability/${encoded}`;
}
