import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';

// A minimal backend for working on this plugin alone: `yarn start` in this
// package. Auth is mocked, so any request is allowed, and the catalog holds
// one component. Try:
//
//   curl http://localhost:7007/api/security-observations/v1/imports?entityRef=component:default/sample \
//     -H 'Authorization: Bearer mock-service-token' -H 'Content-Type: application/json' \
//     --data-binary @src/ingest/parsers/__fixtures__/trivy/image-debian-v1.json
//   curl 'http://localhost:7007/api/security-observations/v1/observations?entityRef=component:default/sample' \
//     -H 'Authorization: Bearer mock-user-token'

const backend = createBackend();

backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());
backend.add(
  catalogServiceMock.factory({
    entities: [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'sample', namespace: 'default' },
        spec: { type: 'service', owner: 'user:default/guest' },
      },
    ],
  }),
);
backend.add(import('../src'));

backend.start();
