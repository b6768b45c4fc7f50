import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { securityObservationsApiRef } from '../api';
import { mockSecurityObservationsApi } from '../__testUtils__/mockSecurityObservationsApi';
import { emptySummary } from '../__testUtils__/summaries';
import { entitySecurityContent } from './entitySecurityContent';

const component: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'checkout-web', namespace: 'default' },
  spec: { type: 'website', owner: 'group:default/team-storefront' },
};

describe('entitySecurityContent (new frontend system)', () => {
  // The tab asks for the summary, a page and the trend at once.
  const healthyApi = () =>
    mockSecurityObservationsApi({
      getSummary: async (ref: string) => emptySummary(ref),
      listObservations: async () => ({ items: [], totalCount: 0 }),
    });

  it('is a Security tab at /security, on components only', () => {
    const tester = createExtensionTester(entitySecurityContent, {
      apis: [[securityObservationsApiRef, healthyApi()]],
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
    const api = healthyApi();
    const tester = createExtensionTester(entitySecurityContent, {
      apis: [[securityObservationsApiRef, api]],
    });

    renderInTestApp(
      <EntityProvider entity={component}>
        {tester.reactElement()}
      </EntityProvider>,
      { apis: [[securityObservationsApiRef, api]] },
    );

    expect(
      await screen.findByText('component:default/checkout-web'),
    ).toBeInTheDocument();
  });
});
