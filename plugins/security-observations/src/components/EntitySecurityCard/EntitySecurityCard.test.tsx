import { ResponseError } from '@backstage/errors';
import { screen, waitFor, within } from '@testing-library/react';
import { Observation } from 'backstage-plugin-security-observations-common';
import { checkoutWeb } from '../../__testUtils__/entities';
import { mockSecurityObservationsApi } from '../../__testUtils__/mockSecurityObservationsApi';
import { listObservationsLikeTheBackend } from '../../__testUtils__/listObservationsLikeTheBackend';
import {
  awsKeyObservation,
  glibcObservation,
  minimistObservation,
  sqlInjectionObservation,
  wontDoObservation,
} from '../../__testUtils__/observations';
import { renderOnEntityPage } from '../../__testUtils__/renderSecurityTab';
import { emptySummary } from '../../__testUtils__/summaries';
import { EntitySecurityCard } from './EntitySecurityCard';

const tabPath = '/catalog/default/component/payments-api/security';

describe('EntitySecurityCard', () => {
  it('shows active counts per severity and the newest critical and high observations, linked into the tab', async () => {
    const api = mockSecurityObservationsApi({
      listObservations: listObservationsLikeTheBackend([
        minimistObservation,
        sqlInjectionObservation,
      ]),
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

    // Only active observations count as "newest critical and high".
    for (const [query] of api.listObservations.mock.calls) {
      expect(query).toMatchObject({
        entityRef: 'component:default/payments-api',
        status: ['open', 'in_review'],
        sort: '-firstSeenAt',
        limit: 5,
      });
    }
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

  it('lists critical before high, the newest of each first, so newer highs never push out an older critical', async () => {
    // Five highs found after the only critical; and a medium, not listed.
    const codeqlHigh = (
      id: string,
      title: string,
      firstSeenAt: string,
    ): Observation => ({
      ...sqlInjectionObservation,
      id,
      title,
      firstSeenAt,
    });
    const pathInjection = codeqlHigh(
      '0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e',
      'Uncontrolled data used in path expression',
      '2026-11-19T12:30:00.000Z',
    );
    const requestForgery = codeqlHigh(
      '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
      'Server-side request forgery',
      '2026-11-17T09:12:00.000Z',
    );
    const polynomialRedos = codeqlHigh(
      '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a',
      'Polynomial regular expression used on uncontrolled data',
      '2026-11-16T15:48:00.000Z',
    );
    const api = mockSecurityObservationsApi({
      listObservations: listObservationsLikeTheBackend([
        glibcObservation, // high, 2026-10-02
        polynomialRedos,
        sqlInjectionObservation, // high, 2026-11-18
        minimistObservation, // critical, 2026-10-02
        awsKeyObservation, // high, 2026-11-19 10:41
        requestForgery,
        pathInjection,
        { ...wontDoObservation, status: 'open' }, // medium
      ]),
    });
    await renderOnEntityPage(<EntitySecurityCard />, { api });

    const list = await screen.findByRole('list', {
      name: 'Newest critical and high',
    });
    const titles = within(list)
      .getAllByRole('link')
      .map(link => link.textContent);
    expect(titles).toEqual([
      minimistObservation.title,
      pathInjection.title,
      awsKeyObservation.title,
      sqlInjectionObservation.title,
      requestForgery.title,
    ]);
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
