import { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { securityObservationsApiRef, SecurityObservationsApi } from '../../api';
import { EntitySecurityContent } from './EntitySecurityContent';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { type: 'service', owner: 'group:default/team-payments' },
};

function renderWith(api: Partial<SecurityObservationsApi>) {
  return renderInTestApp(
    <TestApiProvider apis={[[securityObservationsApiRef, api]]}>
      <EntityProvider entity={entity}>
        <EntitySecurityContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('EntitySecurityContent', () => {
  it('names the entity and shows that the backend answers', async () => {
    await renderWith({
      getHealth: async () => ({
        status: 'ok',
        database: { client: 'pg', ok: true },
      }),
    });

    expect(
      await screen.findByText('component:default/payments-api'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Connected to the security observations backend/),
    ).toHaveTextContent('database pg');
  });

  it('shows an error panel, not a blank tab, when the backend fails', async () => {
    const response = new Response(
      JSON.stringify({
        error: { name: 'Error', message: 'database unreachable' },
        response: { statusCode: 503 },
      }),
      {
        status: 503,
        statusText: 'Service Unavailable',
        headers: { 'content-type': 'application/json' },
      },
    );
    const error = await ResponseError.fromResponse(response);

    await renderWith({
      getHealth: async () => {
        throw error;
      },
    });

    expect(
      await screen.findByText('Error: Security observations'),
    ).toBeInTheDocument();
    expect(screen.getAllByText('database unreachable').length).toBeGreaterThan(
      0,
    );
  });
});
