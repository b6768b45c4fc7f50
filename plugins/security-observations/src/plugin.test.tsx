import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { securityObservationsApiRef } from './api';
import { emptySummary } from './__testUtils__/summaries';
import { EntitySecurityContent, isSecurityObservationsAvailable } from '.';

const component: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'legacy-batch', namespace: 'default' },
  spec: { type: 'service', owner: 'group:default/team-platform' },
};

describe('legacy frontend system exports', () => {
  it('EntitySecurityContent loads and renders the tab', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [
            securityObservationsApiRef,
            {
              getSummary: async (ref: string) => emptySummary(ref),
            },
          ],
        ]}
      >
        <EntityProvider entity={component}>
          <EntitySecurityContent />
        </EntityProvider>
      </TestApiProvider>,
    );

    expect(
      await screen.findByText('component:default/legacy-batch'),
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
