import { ResponseError } from '@backstage/errors';
import { screen, waitFor, within } from '@testing-library/react';
import { checkoutWeb } from '../../__testUtils__/entities';
import { mockSecurityObservationsApi } from '../../__testUtils__/mockSecurityObservationsApi';
import {
  minimistObservation,
  sqlInjectionObservation,
} from '../../__testUtils__/observations';
import { renderOnEntityPage } from '../../__testUtils__/renderSecurityTab';
import { emptySummary } from '../../__testUtils__/summaries';
import { EntitySecurityCard } from './EntitySecurityCard';

const tabPath = '/catalog/default/component/payments-api/security';

describe('EntitySecurityCard', () => {
  it('shows active counts per severity and the newest critical and high observations, linked into the tab', async () => {
    const api = mockSecurityObservationsApi({
      listObservations: async () => ({
        items: [minimistObservation, sqlInjectionObservation],
        totalCount: 7,
      }),
    });
    await renderOnEntityPage(<EntitySecurityCard />, { api });

    expect(
      await screen.findByText('22 active observations'),
    ).toBeInTheDocument();
    const counts = within(
      screen.getByRole('group', { name: 'Active observations by severity' }),
    );
    expect(counts.getByText('Critical: 2')).toBeInTheDocument();
    expect(counts.getByText('High: 5')).toBeInTheDocument();
    expect(counts.getByText('Medium: 11')).toBeInTheDocument();

    expect(api.listObservations).toHaveBeenCalledWith({
      entityRef: 'component:default/payments-api',
      status: ['open', 'in_review'],
      severity: ['critical', 'high'],
      sort: '-firstSeenAt',
      limit: 5,
    });
    expect(
      screen.getByRole('link', { name: minimistObservation.title }),
    ).toHaveAttribute(
      'href',
      `${tabPath}?observation=${minimistObservation.id}`,
    );
    expect(
      screen.getByRole('link', { name: sqlInjectionObservation.title }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /View all observations/ }),
    ).toHaveAttribute('href', tabPath);
  });

  it('says when there is nothing critical or high', async () => {
    await renderOnEntityPage(<EntitySecurityCard />, {
      api: mockSecurityObservationsApi({
        listObservations: async () => ({ items: [], totalCount: 0 }),
      }),
    });

    expect(
      await screen.findByText('No active critical or high observations.'),
    ).toBeInTheDocument();
  });

  it('points to the tab when the entity was never scanned', async () => {
    await renderOnEntityPage(<EntitySecurityCard />, {
      entity: checkoutWeb,
      api: mockSecurityObservationsApi({
        getSummary: async ref => emptySummary(ref),
        listObservations: async () => ({ items: [], totalCount: 0 }),
      }),
    });

    expect(
      await screen.findByText(/No scanner report has been imported yet/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /View all observations/ }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/checkout-web/security',
    );
  });

  it('shows an error panel when the backend fails', async () => {
    const error = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: { name: 'NotAllowedError', message: 'Unauthorized' },
          response: { statusCode: 403 },
        }),
        { status: 403, headers: { 'content-type': 'application/json' } },
      ),
    );
    await renderOnEntityPage(<EntitySecurityCard />, {
      api: mockSecurityObservationsApi({
        getSummary: async () => {
          throw error;
        },
      }),
    });

    await waitFor(() =>
      expect(
        screen.getByText('Error: Security observations'),
      ).toBeInTheDocument(),
    );
    expect(screen.getAllByText('Unauthorized').length).toBeGreaterThan(0);
  });
});
