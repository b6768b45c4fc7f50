import { ResponseError } from '@backstage/errors';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { checkoutWeb } from '../../__testUtils__/entities';
import { mockSecurityObservationsApi } from '../../__testUtils__/mockSecurityObservationsApi';
import {
  currentSearchParams,
  renderSecurityTab,
} from '../../__testUtils__/renderSecurityTab';
import {
  emptySummary,
  misroutedSummary,
  refusedTargetSummary,
  scannedSummary,
  trackedSummary,
} from '../../__testUtils__/summaries';

async function responseError(status: number, message: string) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: 'Error', message },
        response: { statusCode: status },
      }),
      {
        status,
        statusText: 'Service Unavailable',
        headers: { 'content-type': 'application/json' },
      },
    ),
  );
}

describe('EntitySecurityContent', () => {
  it('shows active counts per severity and counts per status of the entity', async () => {
    const api = mockSecurityObservationsApi({
      getSummary: async () => scannedSummary,
    });
    await renderSecurityTab({ api });

    expect(
      await screen.findByText('22 active observations'),
    ).toBeInTheDocument();
    expect(screen.getByText('Critical: 2')).toBeInTheDocument();
    expect(screen.getByText('High: 5')).toBeInTheDocument();
    expect(screen.getByText('Unknown: 1')).toBeInTheDocument();
    expect(screen.getByText('Open: 22')).toBeInTheDocument();
    expect(screen.getByText('Resolved: 4')).toBeInTheDocument();
    expect(screen.getByText('False positive: 1')).toBeInTheDocument();
    expect(screen.queryByText(/Duplicate:/)).not.toBeInTheDocument();
    expect(api.getSummary).toHaveBeenCalledWith(
      'component:default/payments-api',
    );
  });

  it('lists active observations by default, most severe first', async () => {
    const api = mockSecurityObservationsApi();
    await renderSecurityTab({ api });

    expect(
      await screen.findByText('CVE-2021-44906: minimist: prototype pollution'),
    ).toBeInTheDocument();
    expect(api.listObservations).toHaveBeenCalledWith({
      entityRef: 'component:default/payments-api',
      status: ['open', 'in_review'],
      severity: [],
      scanner: [],
      branch: [],
      q: '',
      sort: 'severity',
      limit: 25,
      cursor: undefined,
    });
  });

  it('filters the table by severity when a severity chip is clicked, and says so in the URL', async () => {
    const user = userEvent.setup();
    const api = mockSecurityObservationsApi();
    await renderSecurityTab({ api });

    const chip = await screen.findByRole('button', { name: 'Critical: 2' });
    expect(chip).toHaveAttribute('aria-pressed', 'false');
    await user.click(chip);

    await waitFor(() =>
      expect(api.listObservations).toHaveBeenLastCalledWith(
        expect.objectContaining({
          severity: ['critical'],
          status: ['open', 'in_review'],
        }),
      ),
    );
    expect(currentSearchParams().get('severity')).toBe('critical');
    expect(screen.getByRole('button', { name: 'Critical: 2' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );

    // Clicking the pressed chip again lifts the filter.
    await user.click(screen.getByRole('button', { name: 'Critical: 2' }));
    await waitFor(() =>
      expect(currentSearchParams().has('severity')).toBe(false),
    );
  });

  it('filters by status when a status count is clicked', async () => {
    const user = userEvent.setup();
    const api = mockSecurityObservationsApi();
    await renderSecurityTab({ api });

    await user.click(
      await screen.findByRole('button', { name: 'False positive: 1' }),
    );

    await waitFor(() =>
      expect(currentSearchParams().get('status')).toBe('false_positive'),
    );
    expect(api.listObservations).toHaveBeenLastCalledWith(
      expect.objectContaining({ status: ['false_positive'], severity: [] }),
    );
  });

  it('restores filters and sort from the URL, so a filtered view can be shared', async () => {
    const api = mockSecurityObservationsApi();
    await renderSecurityTab({
      api,
      route:
        '/?status=all&severity=critical,high&scanner=trivy&branch=main&q=minimist&sort=-firstSeenAt',
    });

    await waitFor(() =>
      expect(api.listObservations).toHaveBeenCalledWith({
        entityRef: 'component:default/payments-api',
        status: [],
        severity: ['critical', 'high'],
        scanner: ['trivy'],
        branch: ['main'],
        q: 'minimist',
        sort: '-firstSeenAt',
        limit: 25,
        cursor: undefined,
      }),
    );
    expect(screen.getByLabelText('Search')).toHaveValue('minimist');
    expect(screen.getByLabelText('Scanner')).toHaveValue('trivy');
    expect(screen.getByRole('button', { name: 'Critical: 2' })).toHaveAttribute(
      'aria-pressed',
      'false',
    );
  });

  it('names the tracker the entity routes to, linked', async () => {
    await renderSecurityTab({
      api: mockSecurityObservationsApi({
        getSummary: async () => trackedSummary,
      }),
    });

    expect(
      await screen.findByText(/Tracker issues go to GitHub/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /^acme\/payments-api(?!#)/ }),
    ).toHaveAttribute('href', 'https://github.com/acme/payments-api/issues');
  });

  it('quotes a tracker routing problem and disables "Sync now" with the reason', async () => {
    await renderSecurityTab({
      api: mockSecurityObservationsApi({
        getSummary: async () => misroutedSummary,
      }),
    });

    expect(
      await screen.findByText(
        'Warning: Observations of this entity are not synced to a tracker',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(misroutedSummary.tracker!.problem!),
    ).toBeInTheDocument();
    const sync = screen.getByRole('button', { name: 'Sync now' });
    expect(sync).toBeDisabled();
    expect(sync).toHaveAccessibleDescription(
      `Tracker sync is off for this entity: ${
        misroutedSummary.tracker!.problem
      }`,
    );
  });

  it('says what the tracker refused when it was checked, and keeps "Sync now" for after the fix', async () => {
    await renderSecurityTab({
      api: mockSecurityObservationsApi({
        getSummary: async () => refusedTargetSummary,
      }),
    });

    expect(
      await screen.findByText(
        'Warning: Jira refuses new issues for this entity',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(refusedTargetSummary.tracker!.targetProblem!),
    ).toBeInTheDocument();
    expect(screen.getByText(/Tracker issues go to Jira/)).toBeInTheDocument();
    expect(
      screen.getAllByRole('button', { name: 'Sync now' })[0],
    ).toBeEnabled();
  });

  it('queues a sync from "Sync now"', async () => {
    const user = userEvent.setup();
    const api = mockSecurityObservationsApi();
    await renderSecurityTab({ api });

    await user.click(await screen.findByRole('button', { name: 'Sync now' }));

    expect(api.syncEntity).toHaveBeenCalledWith(
      'component:default/payments-api',
    );
  });

  it('shows the upload command for this entity when it was never scanned', async () => {
    await renderSecurityTab({
      api: mockSecurityObservationsApi({
        getSummary: async ref => emptySummary(ref),
      }),
      entity: checkoutWeb,
    });

    expect(
      await screen.findByText('component:default/checkout-web'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/No scanner report has been imported/),
    ).toBeInTheDocument();
    expect(screen.getByTestId('import-command').textContent).toContain(
      [
        'curl --fail-with-body \\',
        '  "$BACKSTAGE_URL/api/security-observations/v1/imports?entityRef=component:default/checkout-web&branch=main" \\',
        '  -H "Authorization: Bearer $SECURITY_OBSERVATIONS_TOKEN" \\',
        '  -H "Content-Type: application/json" \\',
        '  --data-binary @trivy-results.json',
      ].join('\n'),
    );
  });

  it('shows an error panel, not a blank tab, when the summary fails', async () => {
    const error = await responseError(503, 'database unreachable');
    await renderSecurityTab({
      api: mockSecurityObservationsApi({
        getSummary: async () => {
          throw error;
        },
      }),
    });

    expect(
      await screen.findByText('Error: Security observations'),
    ).toBeInTheDocument();
    expect(screen.getAllByText('database unreachable').length).toBeGreaterThan(
      0,
    );
  });

  it('shows an error panel in the table and in the trend when those fail', async () => {
    const listError = await responseError(400, 'q: at most 200 characters');
    const trendError = await responseError(404, 'Not Found');
    await renderSecurityTab({
      api: mockSecurityObservationsApi({
        listObservations: async () => {
          throw listError;
        },
        getTrend: async () => {
          throw trendError;
        },
      }),
    });

    expect(await screen.findByText('Error: Observations')).toBeInTheDocument();
    expect(
      screen.getAllByText('q: at most 200 characters').length,
    ).toBeGreaterThan(0);
    expect(await screen.findByText('Error: Trend')).toBeInTheDocument();
    // The rest of the tab still works.
    expect(screen.getByText('22 active observations')).toBeInTheDocument();
  });

  it('shows the trend: mean time to resolve per severity', async () => {
    await renderSecurityTab({ api: mockSecurityObservationsApi() });

    const table = await screen.findByRole('table', {
      name: 'Mean time to resolve by severity',
    });
    const rows = within(table).getAllByRole('row');
    expect(rows[0]).toHaveTextContent(
      'SeverityCriticalHighMediumLowNoneUnknown',
    );
    expect(rows[1]).toHaveTextContent('Mean time to resolve4.5 days12.3 days');
    // Cells: the row's header, then critical, high, medium, low, ...
    expect(within(rows[1]).getAllByRole('cell')[4]).toHaveTextContent('—');
    expect(rows[2]).toHaveTextContent('Resolved13');
    expect(
      screen.getByText(
        /Active observations per day by severity over the last 90 days\. On Nov 20: 2 critical, 7 high, 11 medium, 3 low, 1 unknown\./,
      ),
    ).toBeInTheDocument();
  });
});
