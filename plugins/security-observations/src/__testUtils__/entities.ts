import { Entity } from '@backstage/catalog-model';

/** A component whose repository is on GitHub and routes issues there. */
export const paymentsApi: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    title: 'Payments API',
    annotations: {
      'backstage.io/source-location':
        'url:https://github.com/acme/payments-api/tree/main/',
      'github.com/project-slug': 'acme/payments-api',
    },
  },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/team-payments',
  },
};

export const paymentsApiRef = 'component:default/payments-api';

/** A component no scanner has reported on yet. */
export const checkoutWeb: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'checkout-web',
    namespace: 'default',
    annotations: {
      'backstage.io/source-location':
        'url:https://gitlab.com/acme/storefront/checkout-web/-/tree/main/',
    },
  },
  spec: {
    type: 'website',
    lifecycle: 'production',
    owner: 'group:default/team-storefront',
  },
};
