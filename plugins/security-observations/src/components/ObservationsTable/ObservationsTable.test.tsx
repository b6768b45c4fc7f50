import { mockApis } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockSecurityObservationsApi } from '../../__testUtils__/mockSecurityObservationsApi';
import {
  awsKeyObservation,
  deletedIssueObservation,
  glibcObservation,
  minimistObservation,
  notPlannedObservation,
  observations,
  sqlInjectionObservation,
  trackerFixturesNow,
  trackerStateObservations,
  wontDoObservation,
} from '../../__testUtils__/observations';
import {
  currentSearchParams,
  renderSecurityTab,
} from '../../__testUtils__/renderSecurityTab';

/** 30 findings of one scanner run: the fixtures, repeated on many files. */
const manyObservations = Array.from({ length: 30 }, (_, index) => {
  const template = observations[index % observations.length];
  return {
    ...template,
    id: `${template.id.slice(0, -2)}${String(index).padStart(2, '0')}`,
    title: `${template.title} (${index + 1})`,
  };
});

/** Keyset paging as the backend does it: the cursor names the last row. */
function pagedApi() {
  return mockSecurityObservationsApi({
    listObservations: async query => {
      const limit = query.limit ?? 50;
      const start = query.cursor
        ? manyObservations.findIndex(o => o.id === atob(query.cursor!)) + 1
        : 0;
      const items = manyObservations.slice(start, start + limit);
      const hasMore = start + limit < manyObservations.length;
      return {
        items,
        totalCount: manyObservations.length,
        nextCursor: hasMore ? btoa(items[items.length - 1].id) : undefined,
      };
    },
  });
}

/** The column headers of the observations table (the tab has others). */
function columnHeaders() {
  const table = screen
    .getAllByRole('table')
    .find(t => within(t).queryByRole('columnheader', { name: 'Title' }));
  return within(table!)
    .getAllByRole('columnheader')
    .map(header => header.textContent);
}

describe('ObservationsTable', () => {
  it('shows severity, title, location, status, first seen and tracker issue', async () => {
    await renderSecurityTab({ api: mockSecurityObservationsApi() });

    const row = (
      await screen.findByText(sqlInjectionObservation.title)
    ).closest('tr')!;
    expect(columnHeaders()).toEqual([
      '',
      'Severity',
      'Title',
      'Location',
      'Status',
      'First seen',
      'Tracker issue',
    ]);
    const cells = within(row);
    expect(cells.getByText('High')).toBeInTheDocument();
    // The title on one line: the whole of it in the tooltip.
    expect(
      cells.getByRole('button', { name: sqlInjectionObservation.title }),
    ).toHaveAttribute('title', sqlInjectionObservation.title);
    expect(cells.getByText('js/sql-injection')).toBeInTheDocument();
    const file = cells.getByRole('link', {
      name: /^src\/routes\/refunds\.ts:42-44\b/,
    });
    expect(file).toHaveAttribute(
      'href',
      'https://github.com/acme/payments-api/blob/main/src/routes/refunds.ts#L42-L44',
    );
    expect(
      within(file).getByTitle('src/routes/refunds.ts:42-44'),
    ).toBeInTheDocument();
    expect(cells.getByText('Open')).toBeInTheDocument();
    expect(cells.getAllByRole('time')).toHaveLength(1);
    expect(cells.queryByText('codeql')).not.toBeInTheDocument();

    // A dependency: package@version and the image it was found in.
    const dependency = within(
      screen.getByText(minimistObservation.title).closest('tr')!,
    );
    expect(dependency.getByTitle('minimist@1.2.5')).toHaveTextContent(
      /^minimist@1\.2\.5$/,
    );
    expect(
      dependency.getByTitle('ghcr.io/acme/payments-api:1.42.0'),
    ).toHaveTextContent(/^ghcr\.io\/acme\/payments-api:1\.42\.0$/);
    // The tracker issue, short: the owner is in the tooltip and the name.
    const issue = dependency.getByRole('link', {
      name: /^acme\/payments-api#231\b/,
    });
    expect(issue).toHaveAttribute(
      'href',
      'https://github.com/acme/payments-api/issues/231',
    );
    expect(dependency.getByText('payments-api#231')).toBe(issue);
    expect(issue).toHaveAttribute('title', 'acme/payments-api#231');
    // The live status from GitHub replaces the state Backstage last set.
    const trackerCell = within(issue.closest('td')!);
    expect(trackerCell.getByText('Open')).toBeInTheDocument();
    expect(trackerCell.getByText('sync synced')).toBeInTheDocument();
    expect(trackerCell.queryByText('Open · sync synced')).toBeNull();
  });

  it('shows and hides columns from the column chooser, and remembers the choice', async () => {
    const user = userEvent.setup();
    const storage = mockApis.storage();
    const api = mockSecurityObservationsApi();
    // Without the selection column's empty header.
    const headers = () => columnHeaders().filter(Boolean);
    const { unmount } = await renderSecurityTab({ api, storage });
    await screen.findByText(sqlInjectionObservation.title);

    await user.click(screen.getByRole('button', { name: 'Columns' }));
    const menu = within(screen.getByRole('menu', { name: 'Columns' }));
    // The title is always shown, so it is not offered.
    expect(
      menu
        .getAllByRole('menuitemcheckbox')
        .map(item => [item.textContent, item.getAttribute('aria-checked')]),
    ).toEqual([
      ['Severity', 'true'],
      ['Location', 'true'],
      ['Scanner', 'false'],
      ['Branch', 'false'],
      ['Status', 'true'],
      ['First seen', 'true'],
      ['Last seen', 'false'],
      ['Tracker issue', 'true'],
    ]);

    await user.click(menu.getByRole('menuitemcheckbox', { name: 'Scanner' }));
    await user.click(
      menu.getByRole('menuitemcheckbox', { name: 'First seen' }),
    );
    expect(
      menu.getByRole('menuitemcheckbox', { name: 'Scanner' }),
    ).toHaveAttribute('aria-checked', 'true');
    await user.keyboard('{Escape}');
    await waitFor(() =>
      expect(screen.queryByRole('menu')).not.toBeInTheDocument(),
    );
    expect(headers()).toEqual([
      'Severity',
      'Title',
      'Location',
      'Scanner',
      'Status',
      'Tracker issue',
    ]);
    const row = within(
      screen.getByText(sqlInjectionObservation.title).closest('tr')!,
    );
    expect(row.getByText('codeql')).toBeInTheDocument();
    expect(row.queryByRole('time')).not.toBeInTheDocument();

    // Opened again, the tab shows the columns as they were left.
    unmount();
    await renderSecurityTab({ api, storage });
    await screen.findByText(sqlInjectionObservation.title);
    expect(headers()).toEqual([
      'Severity',
      'Title',
      'Location',
      'Scanner',
      'Status',
      'Tracker issue',
    ]);
  });

  it('shows tracker keys short and unwrapped, the whole key in the tooltip and the accessible name', async () => {
    const tracked = (
      title: string,
      issueKey: string,
      issueUrl: string | null,
    ) => ({
      ...minimistObservation,
      id: `${minimistObservation.id.slice(0, -2)}${title.length}`,
      title,
      tracker: { ...minimistObservation.tracker!, issueKey, issueUrl },
    });
    const items = [
      tracked(
        'In GitLab',
        'acme-corp/storefront/checkout-web#12',
        'https://gitlab.acme.example/acme-corp/storefront/checkout-web/-/issues/12',
      ),
      tracked('In Jira', 'PAY-12', 'https://jira.acme.example/browse/PAY-12'),
      tracked('In GitHub, not linked', 'acme-corp/payments-api#3', null),
    ];
    await renderSecurityTab({
      api: mockSecurityObservationsApi({
        listObservations: async () => ({ items, totalCount: items.length }),
      }),
    });

    const rowOf = async (title: string) =>
      within((await screen.findByText(title)).closest('tr')!);

    const gitlab = await rowOf('In GitLab');
    const gitlabIssue = gitlab.getByRole('link', {
      name: /^acme-corp\/storefront\/checkout-web#12\b/,
    });
    expect(gitlab.getByText('checkout-web#12')).toBe(gitlabIssue);
    expect(gitlabIssue).toHaveAttribute(
      'title',
      'acme-corp/storefront/checkout-web#12',
    );
    expect(gitlabIssue).toHaveAttribute(
      'href',
      'https://gitlab.acme.example/acme-corp/storefront/checkout-web/-/issues/12',
    );
    expect(gitlabIssue).toHaveStyle({ whiteSpace: 'nowrap' });

    // Jira keys are short already, but a long one can still be cut off by
    // the column: the tooltip keeps it whole; the name is the key itself.
    const jira = await rowOf('In Jira');
    const jiraIssue = jira.getByRole('link', { name: /^PAY-12\b/ });
    expect(jira.getByText('PAY-12')).toBe(jiraIssue);
    expect(jiraIssue).toHaveAttribute('title', 'PAY-12');
    expect(jiraIssue).not.toHaveAttribute('aria-label');
    expect(jiraIssue).toHaveStyle({
      whiteSpace: 'nowrap',
      overflow: 'hidden',
      textOverflow: 'ellipsis',
      maxWidth: '100%',
    });

    // Without a link, screen readers read the whole key instead.
    const unlinked = await rowOf('In GitHub, not linked');
    expect(unlinked.queryByRole('link')).toBeNull();
    const key = unlinked.getByTitle('acme-corp/payments-api#3');
    expect(key).toHaveStyle({ whiteSpace: 'nowrap' });
    expect(within(key).getByText('payments-api#3')).toHaveAttribute(
      'aria-hidden',
      'true',
    );
    expect(
      within(key).getByText('acme-corp/payments-api#3'),
    ).toBeInTheDocument();
  });

  describe('the live status of issues on their trackers', () => {
    beforeEach(() => {
      jest.spyOn(Date, 'now').mockReturnValue(Date.parse(trackerFixturesNow));
    });
    afterEach(() => jest.restoreAllMocks());

    const renderTrackedRows = () =>
      renderSecurityTab({
        api: mockSecurityObservationsApi({
          listObservations: async () => ({
            items: trackerStateObservations,
            totalCount: trackerStateObservations.length,
          }),
        }),
      });
    const rowOf = async (title: string) =>
      within((await screen.findByText(title)).closest('tr')!);

    it("shows the tracker's status beside the key, and who changed it when in a tooltip", async () => {
      const user = userEvent.setup();
      await renderTrackedRows();

      const row = await rowOf(wontDoObservation.title);
      expect(row.getByRole('link', { name: /^PAY-87\b/ })).toHaveAttribute(
        'href',
        'https://acme-corp.atlassian.net/browse/PAY-87',
      );
      const status = row.getByText("Won't Do");
      const details =
        "Live status: Won't Do. Changed by Jane Doe 5 minutes ago · seen 1 minute ago";
      // Not hovered: the same text is the chip's description.
      expect(status.closest('[title]')).toHaveAttribute('title', details);
      // The status Backstage last set is not repeated beside the live one.
      expect(row.getByText('sync synced')).toBeInTheDocument();
      expect(row.queryByText(/^Closed/)).toBeNull();

      await user.hover(status);
      expect(
        await screen.findByRole('tooltip', { name: details }),
      ).toBeInTheDocument();
    });

    it('keeps a long status in one truncated line, whole in the tooltip', async () => {
      const user = userEvent.setup();
      await renderTrackedRows();

      const row = await rowOf(notPlannedObservation.title);
      const status = row.getByText('Closed as not planned');
      expect(status).toHaveStyle({
        overflow: 'hidden',
        textOverflow: 'ellipsis',
        whiteSpace: 'nowrap',
      });
      await user.hover(status);
      expect(
        await screen.findByRole('tooltip', {
          name: 'Live status: Closed as not planned. Changed by octocat 5 minutes ago · seen 1 minute ago',
        }),
      ).toBeInTheDocument();
    });

    it('says when the issue was deleted on the tracker', async () => {
      const user = userEvent.setup();
      await renderTrackedRows();

      const row = await rowOf(deletedIssueObservation.title);
      const status = row.getByText('Deleted on tracker');
      // The tracker's own word for it is not what shows.
      expect(row.queryByText('Deleted')).toBeNull();
      await user.hover(status);
      expect(
        await screen.findByRole('tooltip', {
          name: 'Live status: Deleted on tracker. Seen 1 minute ago',
        }),
      ).toBeInTheDocument();
    });

    it('shows the state Backstage set while the tracker was not read yet', async () => {
      await renderSecurityTab({
        api: mockSecurityObservationsApi({
          listObservations: async () => ({
            items: [
              {
                ...wontDoObservation,
                tracker: { ...wontDoObservation.tracker!, live: undefined },
              },
            ],
            totalCount: 1,
          }),
        }),
      });

      const row = await rowOf(wontDoObservation.title);
      expect(row.getByText('Closed · sync synced')).toBeInTheDocument();
      expect(row.queryByText("Won't Do")).toBeNull();
    });
  });

  it('explains a failed tracker sync in a tooltip', async () => {
    const user = userEvent.setup();
    await renderSecurityTab({ api: mockSecurityObservationsApi() });

    const row = within(
      (await screen.findByText(glibcObservation.title)).closest('tr')!,
    );
    expect(row.getByText('No issue yet')).toBeInTheDocument();
    const error = row.getByRole('img', {
      name: /^Sync error: GitHub answered 403/,
    });
    await user.hover(error);
    expect(
      await screen.findByRole('tooltip', {
        name: /Sync error: GitHub answered 403: Resource not accessible by integration/,
      }),
    ).toBeInTheDocument();
  });

  it('pages forward with the cursor of the previous answer, and back', async () => {
    const user = userEvent.setup();
    const api = pagedApi();
    await renderSecurityTab({ api });

    expect(await screen.findByText('1–25 of 30')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Previous page' }),
    ).toBeDisabled();

    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('26–30 of 30')).toBeInTheDocument();
    expect(api.listObservations).toHaveBeenLastCalledWith(
      expect.objectContaining({ cursor: btoa(manyObservations[24].id) }),
    );
    expect(screen.getByText(manyObservations[29].title)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled();

    await user.click(screen.getByRole('button', { name: 'Previous page' }));
    expect(await screen.findByText('1–25 of 30')).toBeInTheDocument();
    expect(api.listObservations).toHaveBeenLastCalledWith(
      expect.objectContaining({ cursor: undefined }),
    );
  });

  it('asks for pages of the chosen size', async () => {
    const user = userEvent.setup();
    const api = pagedApi();
    await renderSecurityTab({ api });
    await screen.findByText('1–25 of 30');

    await user.click(screen.getByRole('button', { name: /^Rows per page/ }));
    await user.click(await screen.findByRole('option', { name: '10' }));

    expect(await screen.findByText('1–10 of 30')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('11–20 of 30')).toBeInTheDocument();
    expect(api.listObservations).toHaveBeenLastCalledWith(
      expect.objectContaining({
        limit: 10,
        cursor: btoa(manyObservations[9].id),
      }),
    );
  });

  it('starts again at the first page when a filter changes', async () => {
    const user = userEvent.setup();
    const api = pagedApi();
    await renderSecurityTab({ api });

    await user.click(await screen.findByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('26–30 of 30')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'High: 5' }));

    await waitFor(() =>
      expect(api.listObservations).toHaveBeenLastCalledWith(
        expect.objectContaining({ severity: ['high'], cursor: undefined }),
      ),
    );
  });

  it('sorts on the server when a column header is clicked', async () => {
    const user = userEvent.setup();
    const api = mockSecurityObservationsApi();
    await renderSecurityTab({ api });
    await screen.findByText(minimistObservation.title);

    await user.click(screen.getByRole('button', { name: 'First seen' }));
    await waitFor(() =>
      expect(api.listObservations).toHaveBeenLastCalledWith(
        expect.objectContaining({ sort: 'firstSeenAt', cursor: undefined }),
      ),
    );
    expect(currentSearchParams().get('sort')).toBe('firstSeenAt');

    await user.click(screen.getByRole('button', { name: 'First seen' }));
    await waitFor(() =>
      expect(api.listObservations).toHaveBeenLastCalledWith(
        expect.objectContaining({ sort: '-firstSeenAt' }),
      ),
    );
    expect(currentSearchParams().get('sort')).toBe('-firstSeenAt');
  });

  it('keeps the rows in the order the server sent', async () => {
    const reversed = [...observations].reverse();
    await renderSecurityTab({
      api: mockSecurityObservationsApi({
        listObservations: async () => ({ items: reversed, totalCount: 4 }),
      }),
      route: '/?sort=title',
    });

    const table = (await screen.findByText(minimistObservation.title)).closest(
      'table',
    )!;
    const titles = within(table)
      .getAllByRole('row')
      .slice(1)
      .map(row => within(row).getAllByRole('button')[0]?.textContent);
    expect(titles).toEqual(reversed.map(observation => observation.title));
  });

  it('filters by free text, scanner and status, debounced, into the URL', async () => {
    const user = userEvent.setup();
    const api = mockSecurityObservationsApi();
    await renderSecurityTab({ api });
    await screen.findByText(minimistObservation.title);

    await user.type(screen.getByLabelText('Search'), 'CVE-2021');
    await user.type(screen.getByLabelText('Scanner'), 'trivy');
    await waitFor(() =>
      expect(api.listObservations).toHaveBeenLastCalledWith(
        expect.objectContaining({ q: 'CVE-2021', scanner: ['trivy'] }),
      ),
    );
    expect(currentSearchParams().get('q')).toBe('CVE-2021');
    expect(currentSearchParams().get('scanner')).toBe('trivy');
    // Not one request per keystroke.
    expect(
      api.listObservations.mock.calls.filter(([query]) => query.q === 'C'),
    ).toHaveLength(0);

    const filterBar = screen.getByRole('search', {
      name: 'Filter observations',
    });
    await user.click(
      within(filterBar).getByRole('button', { name: /^Status/ }),
    );
    const listbox = await screen.findByRole('listbox');
    await user.click(within(listbox).getByRole('option', { name: 'Open' }));
    await user.click(
      within(listbox).getByRole('option', { name: 'In review' }),
    );
    await waitFor(() =>
      expect(currentSearchParams().get('status')).toBe('all'),
    );
    await user.click(
      within(listbox).getByRole('option', { name: 'Risk accepted' }),
    );
    await waitFor(() =>
      expect(api.listObservations).toHaveBeenLastCalledWith(
        expect.objectContaining({ status: ['risk_accepted'] }),
      ),
    );
    expect(currentSearchParams().get('status')).toBe('risk_accepted');
  });

  it('opens the details drawer from a row, and puts it in the URL', async () => {
    const user = userEvent.setup();
    await renderSecurityTab({ api: mockSecurityObservationsApi() });

    await user.click(
      await screen.findByRole('button', {
        name: sqlInjectionObservation.title,
      }),
    );

    expect(
      await screen.findByRole('dialog', {
        name: sqlInjectionObservation.title,
      }),
    ).toBeInTheDocument();
    expect(currentSearchParams().get('observation')).toBe(
      sqlInjectionObservation.id,
    );

    await user.click(screen.getByRole('button', { name: 'Close details' }));
    await waitFor(() =>
      expect(currentSearchParams().has('observation')).toBe(false),
    );
  });

  it('assesses the selected rows together, then reloads table and summary', async () => {
    const user = userEvent.setup();
    const api = mockSecurityObservationsApi();
    await renderSecurityTab({ api });
    await screen.findByText(minimistObservation.title);
    const listCalls = api.listObservations.mock.calls.length;
    const summaryCalls = api.getSummary.mock.calls.length;

    await user.click(
      screen.getByRole('checkbox', {
        name: `Select ${glibcObservation.title}`,
      }),
    );
    await user.click(
      screen.getByRole('checkbox', {
        name: `Select ${awsKeyObservation.title}`,
      }),
    );
    await user.click(
      screen.getByRole('button', { name: 'Assess selected (2)' }),
    );

    const dialog = await screen.findByRole('dialog', {
      name: 'Assess 2 observations',
    });
    await user.click(within(dialog).getByRole('button', { name: /^Status/ }));
    await user.click(
      await screen.findByRole('option', { name: 'False positive' }),
    );
    await user.type(
      within(dialog).getByLabelText(/^Comment/),
      'Both come from the test fixtures image',
    );
    await user.click(within(dialog).getByRole('button', { name: 'Assess' }));

    await waitFor(() =>
      expect(api.assessMany).toHaveBeenCalledWith({
        entityRef: 'component:default/payments-api',
        observationIds: [glibcObservation.id, awsKeyObservation.id],
        status: 'false_positive',
        comment: 'Both come from the test fixtures image',
      }),
    );
    await waitFor(() =>
      expect(
        screen.queryByRole('dialog', { name: 'Assess 2 observations' }),
      ).not.toBeInTheDocument(),
    );
    expect(api.listObservations.mock.calls.length).toBeGreaterThan(listCalls);
    expect(api.getSummary.mock.calls.length).toBeGreaterThan(summaryCalls);
  });
});
