import { Entity } from '@backstage/catalog-model';
import {
  AuthorizeResult,
  EvaluatePermissionRequest,
} from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { StorageApi, storageApiRef } from '@backstage/core-plugin-api';
import { screen } from '@testing-library/react';
import { ReactElement } from 'react';
import { useLocation } from 'react-router-dom';
import { SecurityObservationsApi, securityObservationsApiRef } from '../api';
import { EntitySecurityContent } from '../components/EntitySecurityContent';
import { paymentsApi } from './entities';

/** Shows the current query string, so tests can assert what the URL says. */
const LocationProbe = () => (
  <output data-testid="location-search">{useLocation().search}</output>
);

/** The query string of the test app's current location, parsed. */
export function currentSearchParams(): URLSearchParams {
  return new URLSearchParams(
    screen.getByTestId('location-search').textContent ?? '',
  );
}

/**
 * Renders an element on an entity page of a legacy test app, with the
 * plugin API mocked and the permissions decided by `permission`: one
 * answer for all, or a function of the request.
 * Each render gets empty storage (the table's column choices), unless
 * `storage` carries some over from another render.
 */
export function renderOnEntityPage(
  element: ReactElement,
  options: {
    api: Partial<SecurityObservationsApi>;
    entity?: Entity;
    permission?:
      | AuthorizeResult.ALLOW
      | AuthorizeResult.DENY
      | ((
          request: EvaluatePermissionRequest,
        ) => AuthorizeResult.ALLOW | AuthorizeResult.DENY);
    route?: string;
    storage?: StorageApi;
  },
) {
  const {
    api,
    entity = paymentsApi,
    permission = AuthorizeResult.ALLOW,
    route = '/',
    storage = mockApis.storage(),
  } = options;
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [securityObservationsApiRef, api],
        [permissionApiRef, mockApis.permission({ authorize: permission })],
        [storageApiRef, storage],
      ]}
    >
      <EntityProvider entity={entity}>
        {element}
        <LocationProbe />
      </EntityProvider>
    </TestApiProvider>,
    {
      routeEntries: [route],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

/** Renders the Security tab; see `renderOnEntityPage`. */
export function renderSecurityTab(
  options: Parameters<typeof renderOnEntityPage>[1],
) {
  return renderOnEntityPage(<EntitySecurityContent />, options);
}
