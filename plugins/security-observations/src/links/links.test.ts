import { Entity } from '@backstage/catalog-model';
import { checkoutWeb, paymentsApi } from '../__testUtils__/entities';
import {
  awsKeyObservation,
  minimistObservation,
  sqlInjectionObservation,
} from '../__testUtils__/observations';
import { advisoryUrl } from './advisoryUrl';
import { cweUrl } from './cweUrl';
import { safeHttpUrl } from './safeHttpUrl';
import { sourceFileUrl } from './sourceFileUrl';

describe('advisoryUrl', () => {
  it.each([
    ['CVE-2021-44906', 'https://nvd.nist.gov/vuln/detail/CVE-2021-44906'],
    [
      'GHSA-xvch-5gv4-984h',
      'https://github.com/advisories/GHSA-xvch-5gv4-984h',
    ],
    ['GO-2024-3321', 'https://pkg.go.dev/vuln/GO-2024-3321'],
    ['PYSEC-2023-74', 'https://osv.dev/vulnerability/PYSEC-2023-74'],
    ['RUSTSEC-2024-0336', 'https://osv.dev/vulnerability/RUSTSEC-2024-0336'],
  ])('links %s to its advisory', (id, url) => {
    expect(advisoryUrl(id)).toBe(url);
  });

  it('encodes ids it cannot trust', () => {
    expect(advisoryUrl('x/../../evil?y')).toBe(
      'https://osv.dev/vulnerability/x%2F..%2F..%2Fevil%3Fy',
    );
  });
});

describe('cweUrl', () => {
  it('links CWE ids to MITRE', () => {
    expect(cweUrl('CWE-89')).toBe(
      'https://cwe.mitre.org/data/definitions/89.html',
    );
    expect(cweUrl('798')).toBe(
      'https://cwe.mitre.org/data/definitions/798.html',
    );
    expect(cweUrl('OWASP-A03')).toBeUndefined();
  });
});

describe('safeHttpUrl', () => {
  it('keeps http(s) addresses only', () => {
    expect(safeHttpUrl('https://github.com/acme/payments-api/issues/1')).toBe(
      'https://github.com/acme/payments-api/issues/1',
    );
    // eslint-disable-next-line no-script-url
    expect(safeHttpUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeHttpUrl('/catalog')).toBeUndefined();
    expect(safeHttpUrl(null)).toBeUndefined();
  });
});

describe('sourceFileUrl', () => {
  it('links a file and its lines on GitHub, on the scanned branch', () => {
    expect(sourceFileUrl(paymentsApi, sqlInjectionObservation)).toBe(
      'https://github.com/acme/payments-api/blob/main/src/routes/refunds.ts#L42-L44',
    );
    expect(sourceFileUrl(paymentsApi, awsKeyObservation)).toBe(
      'https://github.com/acme/payments-api/blob/feature/refund-webhooks/deploy/helm/values-staging.yaml#L17',
    );
  });

  it('links a file on GitLab, nested groups included', () => {
    expect(sourceFileUrl(checkoutWeb, sqlInjectionObservation)).toBe(
      'https://gitlab.com/acme/storefront/checkout-web/-/blob/main/src/routes/refunds.ts#L42-44',
    );
  });

  it('does not link a path that climbs out of the repository', () => {
    // Browsers resolve `..`: `blob/main/../../../../attacker/phishing/...`
    // would be https://github.com/attacker/phishing/...
    for (const file of [
      '../../../../attacker/phishing/blob/main/login.js',
      'src/../../../../attacker/phishing/blob/main/login.js',
      'src/./routes/refunds.ts',
    ]) {
      const observation = {
        ...sqlInjectionObservation,
        location: { ...sqlInjectionObservation.location!, file },
      };
      expect(sourceFileUrl(paymentsApi, observation)).toBeUndefined();
    }
    expect(
      sourceFileUrl(paymentsApi, {
        ...sqlInjectionObservation,
        branch: '../../../attacker/phishing/blob/main',
      }),
    ).toBeUndefined();
    // Dots inside a name are not segments.
    const dotted = {
      ...sqlInjectionObservation,
      location: {
        ...sqlInjectionObservation.location!,
        file: '..github/.env..',
      },
    };
    expect(sourceFileUrl(paymentsApi, dotted)).toBe(
      'https://github.com/acme/payments-api/blob/main/..github/.env..#L42-L44',
    );
  });

  it('does not link paths inside a container image', () => {
    expect(sourceFileUrl(paymentsApi, minimistObservation)).toBeUndefined();
  });

  it('does not link without a GitHub or GitLab source location', () => {
    const bitbucket: Entity = {
      ...paymentsApi,
      metadata: {
        name: 'legacy',
        annotations: {
          'backstage.io/source-location':
            'url:https://bitbucket.org/acme/legacy/src/main/',
        },
      },
    };
    const none: Entity = { ...paymentsApi, metadata: { name: 'bare' } };
    expect(sourceFileUrl(bitbucket, sqlInjectionObservation)).toBeUndefined();
    expect(sourceFileUrl(none, sqlInjectionObservation)).toBeUndefined();
  });
});
