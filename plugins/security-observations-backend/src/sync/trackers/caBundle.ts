import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Config } from '@backstage/config';
import { Agent } from 'undici';

const PEM_CERTIFICATE =
  /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/**
 * The PEM bundle of a private certificate authority for one tracker, from
 * its `ca` (the PEM text, e.g. `${TRACKER_CA}`) or `caFile` (a path). A
 * self-hosted tracker signed by an internal CA is then trusted for this
 * tracker only: TLS verification stays on, and no process-wide setting
 * (NODE_TLS_REJECT_UNAUTHORIZED, NODE_EXTRA_CA_CERTS) is needed.
 */
export function readCaBundle(entry: Config, at: string): string | undefined {
  const text = entry.getOptionalString('ca');
  const file = entry.getOptionalString('caFile');
  if (text && file) {
    throw new Error(`${at}: set ca or caFile, not both`);
  }
  let pem = text;
  if (file) {
    try {
      pem = readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(
        `${at}.caFile: cannot read ${file}: ${(error as Error).message}`,
      );
    }
  }
  if (pem === undefined) return undefined;
  if (!PEM_CERTIFICATE.test(pem)) {
    throw new Error(
      `${at}.${
        file ? 'caFile' : 'ca'
      }: expected PEM certificates (-----BEGIN CERTIFICATE-----)`,
    );
  }
  return pem;
}

/**
 * A connection pool for `fetch` (its `dispatcher` option) that trusts the
 * public CAs plus the tracker's own; undefined without a bundle, so the
 * default pool is used.
 */
export function dispatcherFor(ca: string | undefined): Agent | undefined {
  if (!ca) return undefined;
  // `ca` replaces Node's default list: keep the public roots too, so a
  // tracker behind a public CA and a private proxy both work.
  return new Agent({ connect: { ca: [...rootCertificates, ca] } });
}
