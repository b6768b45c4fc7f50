import { ResponseError } from '@backstage/errors';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockSecurityObservationsApi } from '../../__testUtils__/mockSecurityObservationsApi';
import {
  hostileDescriptionObservation,
  minimistObservation,
  sqlInjectionObservation,
} from '../../__testUtils__/observations';
import { renderSecurityTab } from '../../__testUtils__/renderSecurityTab';
import { scannedSummary } from '../../__testUtils__/summaries';

const openDrawer = async (title: string) =>
  screen.findByRole('dialog', { name: title });

describe('ObservationDrawer', () => {
  it('opens from ?observation= with the details of the observation', async () => {
    await renderSecurityTab({
      api: mockSecurityObservationsApi(),
      route: `/?observation=${minimistObservation.id}`,
    });

    const drawer = within(await openDrawer(minimistObservation.title));
    expect(
      drawer.getByRole('link', { name: /^CVE-2021-44906/ }),
    ).toHaveAttribute(
      'href',
      'https://nvd.nist.gov/vuln/detail/CVE-2021-44906',
    );
    expect(
      drawer.getByRole('link', { name: /^GHSA-xvch-5gv4-984h/ }),
    ).toHaveAttribute(
      'href',
      'https://github.com/advisories/GHSA-xvch-5gv4-984h',
    );
    expect(drawer.getByRole('link', { name: /^CWE-1321/ })).toHaveAttribute(
      'href',
      'https://cwe.mitre.org/data/definitions/1321.html',
    );
    expect(drawer.getByText('minimist@1.2.5')).toBeInTheDocument();
    expect(drawer.getByText('pkg:npm/minimist@1.2.5')).toBeInTheDocument();
    expect(drawer.getByText('Fixed in').nextElementSibling).toHaveTextContent(
      '1.2.6',
    );
    expect(
      drawer.getByText('ghcr.io/acme/payments-api:1.42.0'),
    ).toBeInTheDocument();
    expect(
      drawer.getByText(/Minimist <=1.2.5 is vulnerable to Prototype Pollution/),
    ).toBeInTheDocument();
    const issue = drawer.getByRole('link', {
      name: /^acme\/payments-api#231\b/,
    });
    expect(issue).toHaveAttribute(
      'href',
      'https://github.com/acme/payments-api/issues/231',
    );
    expect(drawer.getByText('payments-api#231')).toBe(issue);
    expect(issue).toHaveAttribute('title', 'acme/payments-api#231');
    expect(issue).toHaveStyle({ whiteSpace: 'nowrap' });
  });

  it('links a code finding to its lines in the repository', async () => {
    await renderSecurityTab({
      api: mockSecurityObservationsApi(),
      route: `/?observation=${sqlInjectionObservation.id}`,
    });

    const drawer = within(await openDrawer(sqlInjectionObservation.title));
    expect(
      drawer.getByRole('link', {
        name: /src\/routes\/refunds\.ts, lines 42–44/,
      }),
    ).toHaveAttribute(
      'href',
      'https://github.com/acme/payments-api/blob/main/src/routes/refunds.ts#L42-L44',
    );
    expect(drawer.getByText('js/sql-injection')).toBeInTheDocument();
    expect(
      drawer.getByRole('heading', { name: 'Recommendation' }),
    ).toBeInTheDocument();
  });

  it('renders untrusted markdown without scripts or script links', async () => {
    await renderSecurityTab({
      api: mockSecurityObservationsApi({
        getObservation: async () => hostileDescriptionObservation,
      }),
      route: `/?observation=${hostileDescriptionObservation.id}`,
    });

    const drawerElement = await openDrawer(hostileDescriptionObservation.title);
    const drawer = within(drawerElement);
    expect(
      await drawer.findByText('User input reaches the response unescaped.'),
    ).toBeInTheDocument();
    expect(drawerElement.querySelector('script')).toBeNull();
    expect(drawerElement.querySelector('[onerror]')).toBeNull();
    expect(drawerElement.querySelector('a[href^="javascript:" i]')).toBeNull();
    // The link text stays, as text.
    expect(drawer.getByText('Proof of concept')).not.toHaveAttribute('href');
    expect(drawer.getByText('Proof of concept').closest('a')).toBeNull();
    expect(drawer.getByRole('link', { name: /OWASP XSS/ })).toHaveAttribute(
      'href',
      'https://owasp.org/www-community/attacks/xss/',
    );
    expect((window as any).__injected).toBeUndefined();
  });

  it('shows the history as a timeline: who, when, what changed and why', async () => {
    await renderSecurityTab({
      api: mockSecurityObservationsApi(),
      route: `/?observation=${minimistObservation.id}`,
    });

    await openDrawer(minimistObservation.title);
    const history = within(
      await screen.findByRole('list', { name: 'History' }),
    );
    const entries = history.getAllByRole('listitem');
    expect(entries).toHaveLength(3);
    expect(entries[0]).toHaveTextContent(
      'Found by a scan by ci-scanner (scanner)',
    );
    expect(entries[1]).toHaveTextContent('Assessed by user:default/jane.doe');
    expect(entries[1]).toHaveTextContent('Status: Open → In review');
    expect(entries[1]).toHaveTextContent('Severity: High → Critical');
    expect(entries[1]).toHaveTextContent(
      'minimist is reachable through our CLI argument parsing.',
    );
    expect(entries[2]).toHaveTextContent('Commented by user:default/sam.lee');
  });

  it('shows comments of both origins and adds one', async () => {
    const user = userEvent.setup();
    const api = mockSecurityObservationsApi();
    await renderSecurityTab({
      api,
      route: `/?observation=${minimistObservation.id}`,
    });
    await openDrawer(minimistObservation.title);

    expect(await screen.findByText('via Backstage')).toBeInTheDocument();
    expect(screen.getByText('via GitHub')).toBeInTheDocument();
    expect(
      screen.getByText(
        'Released in 1.42.1, closing once the next scan confirms.',
      ),
    ).toBeInTheDocument();

    const comment = screen.getByRole('button', { name: 'Comment' });
    expect(comment).toBeDisabled();
    const commentsBefore = api.getObservationComments.mock.calls.length;
    const eventsBefore = api.getObservationEvents.mock.calls.length;
    await user.type(
      screen.getByLabelText('Add a comment'),
      'Bumped to 1.2.8 in #415',
    );
    await user.click(comment);

    expect(api.addComment).toHaveBeenCalledWith(
      minimistObservation.id,
      'Bumped to 1.2.8 in #415',
    );
    await waitFor(() =>
      expect(screen.getByLabelText('Add a comment')).toHaveValue(''),
    );
    expect(api.getObservationComments.mock.calls.length).toBeGreaterThan(
      commentsBefore,
    );
    expect(api.getObservationEvents.mock.calls.length).toBeGreaterThan(
      eventsBefore,
    );
  });

  it('keeps the rest of the drawer when comments cannot be read', async () => {
    const error = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: { name: 'NotFoundError', message: 'Not Found' },
          response: { statusCode: 404 },
        }),
        { status: 404, headers: { 'content-type': 'application/json' } },
      ),
    );
    await renderSecurityTab({
      api: mockSecurityObservationsApi({
        getObservationComments: async () => {
          throw error;
        },
      }),
      route: `/?observation=${minimistObservation.id}`,
    });

    await openDrawer(minimistObservation.title);
    expect(await screen.findByText('Error: Comments')).toBeInTheDocument();
    expect(
      await screen.findByRole('list', { name: 'History' }),
    ).toBeInTheDocument();
  });

  it('shows an error panel for an observation that does not exist', async () => {
    const error = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: { name: 'NotFoundError', message: 'No observation gone' },
          response: { statusCode: 404 },
        }),
        { status: 404, headers: { 'content-type': 'application/json' } },
      ),
    );
    await renderSecurityTab({
      api: mockSecurityObservationsApi({
        getObservation: async () => {
          throw error;
        },
      }),
      route: '/?observation=gone',
    });

    const drawer = within(await openDrawer('Observation'));
    expect(drawer.getByText('Error: Observation')).toBeInTheDocument();
    expect(drawer.getAllByText('No observation gone').length).toBeGreaterThan(
      0,
    );
  });

  it('syncs the entity from the drawer', async () => {
    const user = userEvent.setup();
    const api = mockSecurityObservationsApi();
    await renderSecurityTab({
      api,
      route: `/?observation=${minimistObservation.id}`,
    });

    const drawer = within(await openDrawer(minimistObservation.title));
    await user.click(drawer.getByRole('button', { name: 'Sync now' }));

    expect(api.syncEntity).toHaveBeenCalledWith(
      'component:default/payments-api',
    );
  });

  it('disables "Sync now" when the backend has no tracker sync', async () => {
    await renderSecurityTab({
      api: mockSecurityObservationsApi({
        getSummary: async () => scannedSummary,
      }),
      route: `/?observation=${minimistObservation.id}`,
    });

    const drawer = within(await openDrawer(minimistObservation.title));
    const sync = drawer.getByRole('button', { name: 'Sync now' });
    expect(sync).toBeDisabled();
    expect(sync).toHaveAccessibleDescription(
      'This Backstage does not sync observations to a tracker.',
    );
  });

  it('assesses the observation and reloads the drawer, the table and the summary', async () => {
    const user = userEvent.setup();
    const api = mockSecurityObservationsApi();
    await renderSecurityTab({
      api,
      route: `/?observation=${minimistObservation.id}`,
    });

    const drawer = within(await openDrawer(minimistObservation.title));
    await user.click(drawer.getByRole('button', { name: 'Assess' }));
    const dialog = within(
      await screen.findByRole('dialog', {
        name: `Assess “${minimistObservation.title}”`,
      }),
    );
    const before = {
      observation: api.getObservation.mock.calls.length,
      list: api.listObservations.mock.calls.length,
      summary: api.getSummary.mock.calls.length,
    };
    await user.click(dialog.getByRole('button', { name: /^Status/ }));
    await user.click(
      await screen.findByRole('option', { name: 'Not affected' }),
    );
    await user.click(dialog.getByRole('button', { name: /^Justification/ }));
    await user.click(
      await screen.findByRole('option', {
        name: 'Vulnerable code not in execute path',
      }),
    );
    await user.type(
      dialog.getByLabelText(/^Comment/),
      'minimist is only used by the build tooling',
    );
    await user.click(dialog.getByRole('button', { name: 'Assess' }));

    await waitFor(() =>
      expect(api.assess).toHaveBeenCalledWith(minimistObservation.id, {
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
        comment: 'minimist is only used by the build tooling',
      }),
    );
    await waitFor(() =>
      expect(api.getObservation.mock.calls.length).toBeGreaterThan(
        before.observation,
      ),
    );
    expect(api.listObservations.mock.calls.length).toBeGreaterThan(before.list);
    expect(api.getSummary.mock.calls.length).toBeGreaterThan(before.summary);
  });
});
