import { Entity } from '@backstage/catalog-model';
import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { screen } from '@testing-library/react';
import { securityObservationsApiRef } from '../api';
import { paymentsApi } from '../__testUtils__/entities';
import { mockSecurityObservationsApi } from '../__testUtils__/mockSecurityObservationsApi';
import { entitySecurityCard } from './entitySecurityCard';

describe('entitySecurityCard (new frontend system)', () => {
  it('is an entity card on components only', () => {
    const tester = createExtensionTester(entitySecurityCard, {
      apis: [[securityObservationsApiRef, mockSecurityObservationsApi()]],
    });

    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction);
    expect(filter).toBeDefined();
    expect(filter!(paymentsApi)).toBe(true);
    const group: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'team-payments' },
    };
    expect(filter!(group)).toBe(false);
  });

  it('renders the card for the entity, linking to its Security tab', async () => {
    const api = mockSecurityObservationsApi();
    const tester = createExtensionTester(entitySecurityCard, {
      apis: [[securityObservationsApiRef, api]],
    });

    renderInTestApp(
      <EntityProvider entity={paymentsApi}>
        {tester.reactElement()}
      </EntityProvider>,
      {
        apis: [[securityObservationsApiRef, api]],
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      },
    );

    expect(
      await screen.findByText('22 active observations'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /View all observations/ }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/payments-api/security',
    );
  });
});
