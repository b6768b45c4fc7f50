import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { Observation } from 'backstage-plugin-security-observations-common';
import { TrackerIssue } from './TrackerIssue';

type Tracker = NonNullable<Observation['tracker']>;

const noIssue: Tracker = {
  trackerId: null,
  issueKey: null,
  issueUrl: null,
  issueState: null,
  syncState: null,
  syncAttempts: 0,
  nextAttemptAt: null,
  lastError: null,
  notPushedReason: null,
  live: null,
};

describe('TrackerIssue', () => {
  it('shows a sync that is off by configuration as off, with the reason, not as an error', async () => {
    await renderInTestApp(
      <TrackerIssue
        tracker={{
          ...noIssue,
          syncState: 'off',
          notPushedReason:
            "the tracker 'gitlab' has no credentials: the integrations.gitlab entry for gitlab.com has no token",
        }}
      />,
    );
    expect(screen.getByText('No issue')).toBeInTheDocument();
    expect(screen.getByText('sync off')).toBeInTheDocument();
    expect(
      screen.getByRole('img', {
        name: "Tracker sync is off: the tracker 'gitlab' has no credentials: the integrations.gitlab entry for gitlab.com has no token",
      }),
    ).toBeInTheDocument();
    expect(screen.queryByText(/failed|pending|error/i)).not.toBeInTheDocument();
  });

  it('says why a false positive gets no issue, instead of "sync pending"', async () => {
    await renderInTestApp(
      <TrackerIssue
        tracker={{
          ...noIssue,
          syncState: 'not_pushed',
          notPushedReason: 'assessed as false positive, so no issue is opened',
        }}
      />,
    );
    expect(screen.getByText('No issue')).toBeInTheDocument();
    expect(screen.getByText('not pushed')).toBeInTheDocument();
    expect(
      screen.getByRole('img', {
        name: 'Not pushed to the tracker: assessed as false positive, so no issue is opened',
      }),
    ).toBeInTheDocument();
    expect(screen.queryByText(/pending|not_pushed/)).not.toBeInTheDocument();
  });

  it('keeps the issue of an observation whose sync went off', async () => {
    await renderInTestApp(
      <TrackerIssue
        tracker={{
          ...noIssue,
          trackerId: 'github',
          issueKey: 'acme-corp/payments-api#231',
          issueUrl: 'https://github.com/acme-corp/payments-api/issues/231',
          issueState: 'open',
          syncState: 'off',
          notPushedReason:
            "the tracker 'github' has no credentials: integrations.github has no entry for github.com",
        }}
      />,
    );
    expect(
      screen.getByRole('link', { name: /^acme-corp\/payments-api#231/ }),
    ).toHaveAttribute(
      'href',
      'https://github.com/acme-corp/payments-api/issues/231',
    );
    expect(screen.getByText('Open · sync off')).toBeInTheDocument();
  });

  it('shows a failed sync with its error and next attempt', async () => {
    await renderInTestApp(
      <TrackerIssue
        tracker={{
          ...noIssue,
          trackerId: 'github',
          syncState: 'failed',
          syncAttempts: 3,
          nextAttemptAt: '2026-11-20T09:00:00.000Z',
          lastError:
            'GitHub answered 403: Resource not accessible by integration',
        }}
      />,
    );
    expect(screen.getByText('No issue yet')).toBeInTheDocument();
    expect(screen.getByText('sync failed')).toBeInTheDocument();
    expect(
      screen.getByRole('img', {
        name: /^Sync error: GitHub answered 403: Resource not accessible by integration \(next attempt .+\)$/,
      }),
    ).toBeInTheDocument();
  });

  it('shows a dash for an observation of an entity without a tracker', async () => {
    await renderInTestApp(<TrackerIssue tracker={null} />);
    expect(screen.getByText('—')).toBeInTheDocument();
  });
});
