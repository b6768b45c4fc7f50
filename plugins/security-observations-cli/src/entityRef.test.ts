import {
  parseEntityRef,
  securityTabUrl,
  stringifyEntityRef,
} from './entityRef';

describe('entity refs', () => {
  it('reads full refs, and refs in the default namespace', () => {
    expect(parseEntityRef('component:default/payments-api')).toEqual({
      kind: 'component',
      namespace: 'default',
      name: 'payments-api',
    });
    expect(parseEntityRef('Component:payments-api')).toEqual({
      kind: 'Component',
      namespace: 'default',
      name: 'payments-api',
    });
    expect(stringifyEntityRef(parseEntityRef('Resource:Platform/db'))).toBe(
      'resource:platform/db',
    );
  });

  it('refuses refs without a kind or a name', () => {
    for (const ref of [
      'payments-api',
      'default/payments-api',
      'component:',
      ':x',
    ]) {
      expect(() => parseEntityRef(ref)).toThrow('is not a full entity ref');
    }
  });

  it('links to the Security tab as the catalog routes entity pages', () => {
    expect(
      securityTabUrl(
        'https://backstage.example.com/portal',
        parseEntityRef('Component:Payments/api gateway'),
      ),
    ).toBe(
      'https://backstage.example.com/portal/catalog/payments/component/api%20gateway/security',
    );
  });
});
