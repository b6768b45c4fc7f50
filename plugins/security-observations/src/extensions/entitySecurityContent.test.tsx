import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { securityObservationsApiRef } from '../api';
import { emptySummary } from '../__testUtils__/summaries';
import { entitySecurityContent } from './entitySecurityContent';

const component: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'checkout-web', namespace: 'default' },
  spec: { type: 'website', owner: 'group:default/team-storefront' },
};

describe('entitySecurityContent (new frontend system)', () => {
  const healthyApi = {
    getSummary: async (ref: string) => emptySummary(ref),
  };

  it('is a Security tab at /security, on components only', () => {
    const tester = createExtensionTester(entitySecurityContent, {
      apis: [[securityObservationsApiRef, healthyApi]],
    });

    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('Security');
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction);
    expect(filter).toBeDefined();
    expect(filter!(component)).toBe(true);
    expect(
      filter!({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: { name: 'team-storefront' },
      }),
    ).toBe(false);
  });

  it('renders the tab content for the entity', async () => {
    const tester = createExtensionTester(entitySecurityContent, {
      apis: [[securityObservationsApiRef, healthyApi]],
    });

    renderInTestApp(
      <EntityProvider entity={component}>
        {tester.reactElement()}
      </EntityProvider>,
      { apis: [[securityObservationsApiRef, healthyApi]] },
    );

    expect(
      await screen.findByText('component:default/checkout-web'),
    ).toBeInTheDocument();
  });
});
