import { Entity } from '@backstage/catalog-model';
import { screen } from '@testing-library/react';
import { mockSecurityObservationsApi } from './__testUtils__/mockSecurityObservationsApi';
import { renderOnEntityPage } from './__testUtils__/renderSecurityTab';
import { emptySummary } from './__testUtils__/summaries';
import {
  EntitySecurityCard,
  EntitySecurityContent,
  isSecurityObservationsAvailable,
} from '.';

const component: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'legacy-batch', namespace: 'default' },
  spec: { type: 'service', owner: 'group:default/team-platform' },
};

describe('legacy frontend system exports', () => {
  it('EntitySecurityContent loads and renders the tab', async () => {
    await renderOnEntityPage(<EntitySecurityContent />, {
      entity: component,
      api: mockSecurityObservationsApi({
        getSummary: async ref => emptySummary(ref),
      }),
    });

    expect(
      await screen.findByText('component:default/legacy-batch'),
    ).toBeInTheDocument();
  });

  it('EntitySecurityCard loads and renders the card', async () => {
    await renderOnEntityPage(<EntitySecurityCard />, {
      api: mockSecurityObservationsApi(),
    });

    expect(
      await screen.findByText('22 active observations'),
    ).toBeInTheDocument();
  });

  it('isSecurityObservationsAvailable is true for components only', () => {
    expect(isSecurityObservationsAvailable(component)).toBe(true);
    expect(
      isSecurityObservationsAvailable({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'System',
        metadata: { name: 'payments' },
      }),
    ).toBe(false);
  });
});
