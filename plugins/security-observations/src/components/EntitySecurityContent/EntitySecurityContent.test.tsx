import { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { securityObservationsApiRef, SecurityObservationsApi } from '../../api';
import { emptySummary, scannedSummary } from '../../__testUtils__/summaries';
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
  it('shows active counts per severity and counts per status of the entity', async () => {
    const getSummary = jest.fn(async () => scannedSummary);
    await renderWith({ getSummary });

    expect(
      await screen.findByText('22 active observations'),
    ).toBeInTheDocument();
    expect(screen.getByText('Critical: 2')).toBeInTheDocument();
    expect(screen.getByText('High: 5')).toBeInTheDocument();
    expect(screen.getByText('Unknown: 1')).toBeInTheDocument();
    expect(
      screen.getByText('Open: 22 · Resolved: 4 · False positive: 1'),
    ).toBeInTheDocument();
    expect(getSummary).toHaveBeenCalledWith('component:default/payments-api');
  });

  it('says so when no report was imported for the entity', async () => {
    await renderWith({
      getSummary: async ref => emptySummary(ref),
    });

    expect(
      await screen.findByText('component:default/payments-api'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/No scanner report has been imported/),
    ).toBeInTheDocument();
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
      getSummary: async () => {
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
