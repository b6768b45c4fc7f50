import { screen, within } from '@testing-library/react';
import { mockSecurityObservationsApi } from '../../__testUtils__/mockSecurityObservationsApi';
import {
  deletedIssueObservation,
  glibcObservation,
  hostileLinkComment,
  notPlannedComments,
  notPlannedObservation,
  trackerFixturesNow,
} from '../../__testUtils__/observations';
import { renderSecurityTab } from '../../__testUtils__/renderSecurityTab';

/** What the drawer shows of the issue's life on the tracker. */
describe('ObservationDrawer with two-way tracker sync', () => {
  beforeEach(() => {
    jest.spyOn(Date, 'now').mockReturnValue(Date.parse(trackerFixturesNow));
  });
  afterEach(() => jest.restoreAllMocks());

  const openDrawer = async (
    id: string,
    title: string,
    api = mockSecurityObservationsApi(),
  ) => {
    await renderSecurityTab({ api, route: `/?observation=${id}` });
    return within(await screen.findByRole('dialog', { name: title }));
  };
  const exact = (iso: string) => new Date(iso).toLocaleString();

  it('shows the live status on the tracker, who changed it and when, and when it was last seen', async () => {
    const drawer = await openDrawer(
      notPlannedObservation.id,
      notPlannedObservation.title,
    );

    const section = within(
      drawer
        .getByRole('heading', { name: 'Tracker issue' })
        .closest('section')!,
    );
    expect(section.getByText(/^Live status on GitHub:/).textContent).toBe(
      'Live status on GitHub: Closed as not planned',
    );
    // Shown once: no chip repeating it beside the key.
    expect(section.getAllByText('Closed as not planned')).toHaveLength(1);
    expect(
      section.getByRole('link', { name: /^acme\/payments-api#245\b/ }),
    ).toHaveAttribute(
      'href',
      'https://github.com/acme/payments-api/issues/245',
    );

    const changed = section.getByText(/^Changed by octocat/);
    expect(changed).toHaveTextContent('Changed by octocat 5 minutes ago');
    expect(within(changed).getByText('5 minutes ago')).toHaveAttribute(
      'title',
      exact('2026-11-20T09:55:00.000Z'),
    );
    const seen = section.getByText(/^Last seen on GitHub/);
    expect(seen).toHaveTextContent('Last seen on GitHub 1 minute ago');
    expect(within(seen).getByText('1 minute ago')).toHaveAttribute(
      'title',
      exact('2026-11-20T09:59:00.000Z'),
    );
  });

  it('says when the issue is gone from the tracker', async () => {
    const drawer = await openDrawer(
      deletedIssueObservation.id,
      deletedIssueObservation.title,
    );

    const section = within(
      drawer
        .getByRole('heading', { name: 'Tracker issue' })
        .closest('section')!,
    );
    // The entity routes to GitHub; the issue's own tracker names it.
    expect(section.getByText(/^Live status on GitLab:/).textContent).toBe(
      'Live status on GitLab: Deleted on tracker',
    );
    expect(
      section.getByText(
        'The issue was deleted on GitLab, or Backstage can no longer read it.',
      ),
    ).toBeInTheDocument();
    expect(section.queryByText(/^Changed/)).toBeNull();
    expect(section.getByText(/^Last seen on GitLab/)).toHaveTextContent(
      'Last seen on GitLab 1 minute ago',
    );
  });

  it('shows no live status for an issue the tracker was not read for', async () => {
    const drawer = await openDrawer(
      glibcObservation.id,
      glibcObservation.title,
    );

    expect(drawer.getByText('No issue yet')).toBeInTheDocument();
    expect(drawer.queryByText(/Live status/)).toBeNull();
    expect(drawer.queryByText(/Last seen on/)).toBeNull();
  });

  it("names a tracker user and their tracker in the history, and quotes the tracker's change", async () => {
    await openDrawer(notPlannedObservation.id, notPlannedObservation.title);

    const entries = within(
      await screen.findByRole('list', { name: 'History' }),
    ).getAllByRole('listitem');
    expect(entries).toHaveLength(3);
    expect(entries[1]).toHaveTextContent(
      'Tracker issue created by tracker-sync (system)',
    );
    expect(entries[2]).toHaveTextContent('Assessed by octocat on GitHub');
    expect(entries[2]).not.toHaveTextContent('github:octocat');
    expect(entries[2]).toHaveTextContent('Status: Open → Risk accepted');
    expect(entries[2]).toHaveTextContent(
      'Closed as not planned on GitHub by octocat',
    );
  });

  describe('comments', () => {
    const commentItems = async () =>
      within(
        await screen.findByRole('list', { name: 'Comments' }),
      ).getAllByRole('listitem');

    it('say where they come from, link to the tracker and mark edits', async () => {
      await openDrawer(notPlannedObservation.id, notPlannedObservation.title);

      const [fromGitHub, pushed, pending, failed] = (await commentItems()).map(
        item => within(item),
      );
      expect(fromGitHub.getByText('octocat')).toBeInTheDocument();
      expect(fromGitHub.getByText('via GitHub')).toBeInTheDocument();
      expect(
        fromGitHub.getByRole('link', { name: /^View on GitHub/ }),
      ).toHaveAttribute('href', notPlannedComments[0].url);
      expect(fromGitHub.getByText('(edited)')).toHaveAttribute(
        'title',
        `Edited ${exact('2026-11-20T09:54:00.000Z')}`,
      );

      expect(pushed.getByText('via Backstage')).toBeInTheDocument();
      expect(pushed.queryByText('(edited)')).toBeNull();
      // Pushed to the issue: the link leads to the copy there.
      expect(
        pushed.getByRole('link', { name: /^View on GitHub/ }),
      ).toHaveAttribute('href', notPlannedComments[1].url);
      expect(pending.getByText('via Backstage')).toBeInTheDocument();
      expect(pending.queryByRole('link')).toBeNull();
      expect(failed.queryByRole('link')).toBeNull();
    });

    it('say whether Security-tab comments reached the issue', async () => {
      await openDrawer(notPlannedObservation.id, notPlannedObservation.title);

      const [fromGitHub, pushed, pending, failed] = await commentItems();
      expect(fromGitHub).not.toHaveTextContent(/sent/i);
      expect(within(pushed).getByText('Sent to the issue')).toBeInTheDocument();
      expect(
        within(pending).getByText('Waiting to be sent'),
      ).toBeInTheDocument();
      expect(
        within(failed).getByText(
          'Not sent: GitHub answered 403: Resource not accessible by integration',
        ),
      ).toBeInTheDocument();
    });

    it('never link an address that is not http(s)', async () => {
      const drawer = await openDrawer(
        notPlannedObservation.id,
        notPlannedObservation.title,
        mockSecurityObservationsApi({
          getObservationComments: async () => [hostileLinkComment],
        }),
      );

      const [hostile] = await commentItems();
      expect(
        within(hostile).getByText('See the linked comment for the exploit.'),
      ).toBeInTheDocument();
      expect(within(hostile).queryByRole('link')).toBeNull();
      expect(within(hostile).queryByText(/View on/)).toBeNull();
      expect(drawer.queryByText(/javascript:/)).toBeNull();
      expect(document.querySelector('a[href^="javascript:" i]')).toBeNull();
    });
  });
});
